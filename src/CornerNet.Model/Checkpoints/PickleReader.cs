using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace CornerNet.Model.Checkpoints;

/// <summary>
/// A restricted unpickler (protocols 0 to 5, the opcodes checkpoints use). It builds plain C# values: None is null,
/// int is long (or BigInteger), float is double, str is string, bytes is byte[], list is List&lt;object?&gt;,
/// tuple is object?[], dict is <see cref="PickleDict"/>. Globals go through <see cref="TorchPickleGlobals"/>; no
/// Python object is ever constructed or called. Every length is checked against the bytes left before allocating.
/// </summary>
internal sealed class PickleReader
{
    private const int MaxLineLength = 1 << 16;
    private const int HighestProtocol = 5;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly Stream _input;
    private readonly string? _source;
    private readonly Func<object?, Func<string, Exception>, object?> _persistentLoad;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private long _opcodePosition;

    /// <param name="input">A seekable stream positioned at the pickle; left just after its STOP opcode.</param>
    /// <param name="source">The file name for error messages.</param>
    /// <param name="persistentLoad">Resolves a persistent id (BINPERSID); null refuses them.</param>
    public PickleReader(Stream input, string? source, Func<object?, Func<string, Exception>, object?>? persistentLoad = null)
    {
        _input = input;
        _source = source;
        _persistentLoad = persistentLoad ?? ((_, fail) => throw fail("unexpected persistent id"));
    }

    private long Remaining => _input.Length - _input.Position;

    /// <summary>An exception naming the file, the problem and where in the file it was found.</summary>
    public Exception Fail(string problem) =>
        new CheckpointFormatException(CheckpointFormatException.Describe(_source, $"{problem} (pickle opcode at byte {_opcodePosition})"));

    public object? Load()
    {
        while (true)
        {
            _opcodePosition = _input.Position;
            var opcode = ReadByte();
            switch (opcode)
            {
                case 0x80: // PROTO
                    var protocol = ReadByte();
                    if (protocol > HighestProtocol) throw Fail($"unsupported pickle protocol {protocol}");
                    break;
                case 0x95: // FRAME: a length hint only
                    ReadBytes(8);
                    break;
                case (byte)'.': // STOP
                    return Pop();

                // Stack and memo.
                case (byte)'(': _marks.Push(_stack.Count); break; // MARK
                case (byte)'0': Pop(); break; // POP
                case (byte)'1': PopMark(); break; // POP_MARK
                case (byte)'2': Push(Peek()); break; // DUP
                case (byte)'p': _memo[ParseLong(ReadLine(), "PUT index")] = Peek(); break;
                case (byte)'q': _memo[ReadByte()] = Peek(); break; // BINPUT
                case (byte)'r': _memo[ReadUInt32()] = Peek(); break; // LONG_BINPUT
                case 0x94: _memo[_memo.Count] = Peek(); break; // MEMOIZE
                case (byte)'g': Push(FromMemo(ParseLong(ReadLine(), "GET index"))); break;
                case (byte)'h': Push(FromMemo(ReadByte())); break; // BINGET
                case (byte)'j': Push(FromMemo(ReadUInt32())); break; // LONG_BINGET

                // Constants and numbers.
                case (byte)'N': Push(null); break; // NONE
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4))); break; // BININT
                case (byte)'K': Push((long)ReadByte()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2))); break; // BININT2
                case 0x8a: Push(ReadLittleEndianInteger(ReadByte())); break; // LONG1
                case 0x8b: // LONG4
                    var longLength = BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4));
                    if (longLength < 0) throw Fail("negative LONG4 length");
                    Push(ReadLittleEndianInteger(longLength));
                    break;
                case (byte)'I': Push(ParseTextInt(ReadLine())); break; // INT
                case (byte)'L': Push(ParseTextLong(ReadLine())); break; // LONG
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8))); break; // BINFLOAT
                case (byte)'F': Push(ParseDouble(ReadLine())); break; // FLOAT

                // Strings and bytes.
                case (byte)'X': Push(DecodeUtf8(ReadBytes(ReadUInt32()))); break; // BINUNICODE
                case 0x8c: Push(DecodeUtf8(ReadBytes(ReadByte()))); break; // SHORT_BINUNICODE
                case 0x8d: Push(DecodeUtf8(ReadBytes(ReadUInt64()))); break; // BINUNICODE8
                case (byte)'T': Push(DecodePython2String(ReadBytes(ReadInt32Length()))); break; // BINSTRING
                case (byte)'U': Push(DecodePython2String(ReadBytes(ReadByte()))); break; // SHORT_BINSTRING
                case (byte)'B': Push(ReadBytes(ReadUInt32())); break; // BINBYTES
                case (byte)'C': Push(ReadBytes(ReadByte())); break; // SHORT_BINBYTES
                case 0x8e: Push(ReadBytes(ReadUInt64())); break; // BINBYTES8
                case 0x96: Push(ReadBytes(ReadUInt64())); break; // BYTEARRAY8
                case 0x98: break; // READONLY_BUFFER: no-op on bytes

                // Containers.
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)'l': Push(PopMark().ToList()); break; // LIST
                case (byte)'a': { var item = Pop(); AsList(Peek()).Add(item); break; } // APPEND
                case (byte)'e': AppendMany(PopMark()); break; // APPENDS
                case (byte)')': Push(Array.Empty<object?>()); break; // EMPTY_TUPLE
                case (byte)'t': Push(PopMark()); break; // TUPLE
                case 0x85: Push(new[] { Pop() }); break; // TUPLE1
                case 0x86: { var second = Pop(); var first = Pop(); Push(new[] { first, second }); break; } // TUPLE2
                case 0x87: { var third = Pop(); var second = Pop(); var first = Pop(); Push(new[] { first, second, third }); break; } // TUPLE3
                case (byte)'}': Push(new PickleDict()); break; // EMPTY_DICT
                case (byte)'d': Push(DictionaryFrom(PopMark())); break; // DICT
                case (byte)'s': { var value = Pop(); var key = Pop(); AsDict(Peek()).Set(key, value); break; } // SETITEM
                case (byte)'u': SetItems(PopMark()); break; // SETITEMS
                case 0x8f: Push(new PickleSet()); break; // EMPTY_SET
                case 0x90: { var items = PopMark(); AsSet(Peek()).Items.AddRange(items); break; } // ADDITEMS
                case 0x91: { var set = new PickleSet(); set.Items.AddRange(PopMark()); Push(set); break; } // FROZENSET

                // Globals, calls and objects: only through the allow-list.
                case (byte)'c': // GLOBAL
                {
                    var module = ReadLine();
                    var name = ReadLine();
                    Push(TorchPickleGlobals.Resolve(module, name, _source));
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    var name = Pop() as string ?? throw Fail("STACK_GLOBAL name is not a string");
                    var module = Pop() as string ?? throw Fail("STACK_GLOBAL module is not a string");
                    Push(TorchPickleGlobals.Resolve(module, name, _source));
                    break;
                }
                case (byte)'R': // REDUCE
                {
                    var arguments = Pop() as object?[] ?? throw Fail("REDUCE arguments are not a tuple");
                    var callable = Pop() as PickleGlobal ?? throw Fail("REDUCE target is not a global");
                    Push(TorchPickleGlobals.Call(callable, arguments, Fail));
                    break;
                }
                case 0x81: // NEWOBJ
                {
                    var arguments = Pop() as object?[] ?? throw Fail("NEWOBJ arguments are not a tuple");
                    var type = Pop() as PickleGlobal ?? throw Fail("NEWOBJ class is not a global");
                    Push(TorchPickleGlobals.Instantiate(type, arguments, Fail));
                    break;
                }
                case 0x92: // NEWOBJ_EX
                {
                    Pop(); // keyword arguments
                    var arguments = Pop() as object?[] ?? throw Fail("NEWOBJ_EX arguments are not a tuple");
                    var type = Pop() as PickleGlobal ?? throw Fail("NEWOBJ_EX class is not a global");
                    Push(TorchPickleGlobals.Instantiate(type, arguments, Fail));
                    break;
                }
                case (byte)'i': // INST
                {
                    var module = ReadLine();
                    var name = ReadLine();
                    var type = TorchPickleGlobals.Resolve(module, name, _source);
                    Push(TorchPickleGlobals.Instantiate(type, PopMark(), Fail));
                    break;
                }
                case (byte)'o': // OBJ
                {
                    var items = PopMark();
                    if (items.Length == 0 || items[0] is not PickleGlobal type) throw Fail("OBJ class is not a global");
                    Push(TorchPickleGlobals.Instantiate(type, items[1..], Fail));
                    break;
                }
                case (byte)'b': // BUILD: __setstate__ / attribute updates; attributes such as _metadata are not needed
                    Pop();
                    Peek();
                    break;
                case (byte)'Q': Push(_persistentLoad(Pop(), Fail)); break; // BINPERSID
                case (byte)'P': Push(_persistentLoad(ReadLine(), Fail)); break; // PERSID
                case 0x82 or 0x83 or 0x84:
                    throw Fail("unsupported pickle opcode EXT (copyreg extension registry)");
                default:
                    throw Fail($"unsupported or invalid pickle opcode 0x{opcode:x2}");
            }
        }
    }

    private void Push(object? value) => _stack.Add(value);

    private object? Pop()
    {
        var floor = _marks.Count > 0 ? _marks.Peek() : 0;
        if (_stack.Count <= floor) throw Fail("pickle stack underflow");
        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object? Peek()
    {
        var floor = _marks.Count > 0 ? _marks.Peek() : 0;
        if (_stack.Count <= floor) throw Fail("pickle stack underflow");
        return _stack[^1];
    }

    private object?[] PopMark()
    {
        if (_marks.Count == 0) throw Fail("pickle MARK missing");
        var start = _marks.Pop();
        var items = _stack.GetRange(start, _stack.Count - start).ToArray();
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private void AppendMany(object?[] items) => AsList(Peek()).AddRange(items);

    private void SetItems(object?[] items)
    {
        if (items.Length % 2 != 0) throw Fail("SETITEMS has an odd number of items");
        var dictionary = AsDict(Peek());
        for (var i = 0; i < items.Length; i += 2)
        {
            dictionary.Set(items[i], items[i + 1]);
        }
    }

    private PickleDict DictionaryFrom(object?[] items)
    {
        if (items.Length % 2 != 0) throw Fail("DICT has an odd number of items");
        var dictionary = new PickleDict();
        for (var i = 0; i < items.Length; i += 2)
        {
            dictionary.Set(items[i], items[i + 1]);
        }

        return dictionary;
    }

    private List<object?> AsList(object? value) => value as List<object?> ?? throw Fail("APPEND target is not a list");

    private PickleDict AsDict(object? value) => value as PickleDict ?? throw Fail("SETITEM target is not a dict");

    private PickleSet AsSet(object? value) => value as PickleSet ?? throw Fail("ADDITEMS target is not a set");

    private object? FromMemo(long index) =>
        _memo.TryGetValue(index, out var value) ? value : throw Fail($"pickle memo entry {index} is missing");

    private byte ReadByte()
    {
        var value = _input.ReadByte();
        if (value < 0) throw Fail("truncated: the pickle ends before its STOP opcode");
        return (byte)value;
    }

    private byte[] ReadBytes(long count)
    {
        if (count < 0 || count > Remaining) throw Fail($"truncated: the pickle needs {count} more bytes, {Remaining} remain");
        var bytes = new byte[count];
        _input.ReadExactly(bytes);
        return bytes;
    }

    private uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4));

    private int ReadInt32Length()
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4));
        return length >= 0 ? length : throw Fail("negative string length");
    }

    private long ReadUInt64()
    {
        var length = BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8));
        return length <= long.MaxValue ? (long)length : throw Fail("string length too large");
    }

    /// <summary>A newline-terminated ASCII line (protocol 0 arguments, GLOBAL names).</summary>
    private string ReadLine()
    {
        var line = new StringBuilder();
        while (true)
        {
            var value = ReadByte();
            if (value == (byte)'\n') return line.ToString();
            if (line.Length >= MaxLineLength) throw Fail("pickle text line too long");
            line.Append((char)value);
        }
    }

    private object ReadLittleEndianInteger(int byteCount)
    {
        var bytes = ReadBytes(byteCount);
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;
    }

    private object ParseTextInt(string text) => text switch
    {
        "00" => false,
        "01" => true,
        _ => ParseTextLong(text),
    };

    private object ParseTextLong(string text)
    {
        var digits = text.EndsWith('L') ? text[..^1] : text;
        if (!BigInteger.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw Fail($"invalid integer literal ({text.Length} characters)");
        }

        return value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;
    }

    private long ParseLong(string text, string what) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Fail($"invalid {what} ({text.Length} characters)");

    private double ParseDouble(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Fail($"invalid float literal ({text.Length} characters)");

    private string DecodeUtf8(byte[] bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Fail("string is not valid UTF-8");
        }
    }

    /// <summary>Python 2 str: torch.load decodes these as UTF-8; Latin-1 keeps arbitrary bytes readable.</summary>
    private static string DecodePython2String(byte[] bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return Encoding.Latin1.GetString(bytes);
        }
    }
}
