// Compiled by MSBuild's RoslynCodeTaskFactory (see LibTorchSharpPatch.targets) and, with
// ELF_PATCHER_LOGIC_ONLY defined, by the tests, which exercise the ELF logic without MSBuild.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

/// <summary>Outcome of patching one file.</summary>
public enum ElfPatchResult
{
    /// <summary>The entry was strong and is now weak.</summary>
    Patched,
    /// <summary>The entry was already weak; nothing was written.</summary>
    AlreadyWeak,
    /// <summary>The file has no requirement with that name; nothing was written.</summary>
    NotRequired,
}

/// <summary>
/// Sets VER_FLG_WEAK on named version requirements (Elf64_Vernaux entries of .gnu.version_r) of a
/// little-endian ELF64 shared object. Only the two flag bytes of a matching entry are ever written.
/// </summary>
public static class ElfVersionNeedPatcher
{
    private const uint SectionTypeGnuVerNeed = 0x6ffffffe;
    private const ushort VersionFlagWeak = 0x2;

    /// <summary>Marks the requirement named <paramref name="versionName"/> weak. Idempotent.</summary>
    public static ElfPatchResult MakeWeak(string path, string versionName)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        var flagsOffset = FindVernauxFlagsOffset(file, versionName, out var flags);
        if (flagsOffset < 0)
        {
            return ElfPatchResult.NotRequired;
        }

        if ((flags & VersionFlagWeak) != 0)
        {
            return ElfPatchResult.AlreadyWeak;
        }

        var patched = (ushort)(flags | VersionFlagWeak);
        file.Position = flagsOffset;
        file.Write(new[] { (byte)(patched & 0xff), (byte)(patched >> 8) }, 0, 2);
        return ElfPatchResult.Patched;
    }

    /// <summary>Reads whether the named requirement is weak; null when the file does not require it.</summary>
    public static bool? IsWeak(string path, string versionName)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var offset = FindVernauxFlagsOffset(file, versionName, out var flags);
        return offset < 0 ? null : (flags & VersionFlagWeak) != 0;
    }

    /// <summary>File offset of vna_flags of the matching entry, or -1.</summary>
    public static long FindVernauxFlagsOffset(Stream file, string versionName, out ushort flags)
    {
        flags = 0;
        var header = ReadAt(file, 0, 64);
        if (header[0] != 0x7f || header[1] != (byte)'E' || header[2] != (byte)'L' || header[3] != (byte)'F')
        {
            throw new InvalidDataException("not an ELF file");
        }

        if (header[4] != 2 || header[5] != 1)
        {
            throw new InvalidDataException("only little-endian ELF64 is supported");
        }

        var sectionHeadersOffset = (long)BitConverter.ToUInt64(header, 0x28);
        var sectionHeaderSize = BitConverter.ToUInt16(header, 0x3A);
        var sectionCount = BitConverter.ToUInt16(header, 0x3C);
        var sections = new List<(uint Type, long Offset, long Size, uint Link, uint Info)>();
        for (var i = 0; i < sectionCount; i++)
        {
            var sh = ReadAt(file, sectionHeadersOffset + (long)i * sectionHeaderSize, 64);
            sections.Add((BitConverter.ToUInt32(sh, 4), (long)BitConverter.ToUInt64(sh, 0x18),
                (long)BitConverter.ToUInt64(sh, 0x20), BitConverter.ToUInt32(sh, 0x28), BitConverter.ToUInt32(sh, 0x2C)));
        }

        foreach (var section in sections)
        {
            if (section.Type != SectionTypeGnuVerNeed)
            {
                continue;
            }

            var strings = sections[(int)section.Link];
            var needOffset = section.Offset;
            for (var need = 0; need < section.Info; need++)
            {
                var verneed = ReadAt(file, needOffset, 16);
                var auxCount = BitConverter.ToUInt16(verneed, 2);
                var auxOffset = needOffset + BitConverter.ToUInt32(verneed, 8);
                for (var aux = 0; aux < auxCount; aux++)
                {
                    var vernaux = ReadAt(file, auxOffset, 16);
                    var name = ReadCString(file, strings.Offset + BitConverter.ToUInt32(vernaux, 8), strings.Offset + strings.Size);
                    if (name == versionName)
                    {
                        flags = BitConverter.ToUInt16(vernaux, 4);
                        return auxOffset + 4;
                    }

                    auxOffset += BitConverter.ToUInt32(vernaux, 12);
                }

                needOffset += BitConverter.ToUInt32(verneed, 12);
            }
        }

        return -1;
    }

    private static byte[] ReadAt(Stream file, long offset, int count)
    {
        if (offset < 0 || offset + count > file.Length)
        {
            throw new InvalidDataException($"ELF structure at {offset} runs past the end of the file");
        }

        var buffer = new byte[count];
        file.Position = offset;
        var read = 0;
        while (read < count)
        {
            var n = file.Read(buffer, read, count - read);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            read += n;
        }

        return buffer;
    }

    private static string ReadCString(Stream file, long offset, long limit)
    {
        var bytes = new List<byte>();
        file.Position = offset;
        while (file.Position < limit)
        {
            var b = file.ReadByte();
            if (b <= 0)
            {
                break;
            }

            bytes.Add((byte)b);
        }

        return Encoding.ASCII.GetString(bytes.ToArray());
    }
}

#if !ELF_PATCHER_LOGIC_ONLY
/// <summary>MSBuild task: marks the listed version requirements weak in each file.</summary>
public class PatchElfVersionNeed : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required]
    public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

    /// <summary>Semicolon-separated version names, e.g. GLIBCXX_3.4.32.</summary>
    [Microsoft.Build.Framework.Required]
    public string VersionNames { get; set; } = string.Empty;

    public override bool Execute()
    {
        foreach (var item in Files)
        {
            foreach (var version in VersionNames.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries))
            {
                try
                {
                    var result = ElfVersionNeedPatcher.MakeWeak(item.ItemSpec, version.Trim());
                    if (result == ElfPatchResult.Patched)
                    {
                        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                            $"Marked {version} weak in {item.ItemSpec}");
                    }
                }
                catch (Exception e) when (e is IOException || e is InvalidDataException || e is UnauthorizedAccessException)
                {
                    Log.LogError($"Cannot patch {item.ItemSpec}: {e.Message}");
                }
            }
        }

        return !Log.HasLoggedErrors;
    }
}
#endif
