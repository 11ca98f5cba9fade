using System.Globalization;
using CornerNet.Fuzzing;
using SharpFuzz;

// dotnet CornerNet.Fuzzing.dll <checkpoint|image> [--warm-up DIR]  run under afl-fuzz (fuzz.sh does this)
// dotnet CornerNet.Fuzzing.dll <checkpoint|image> --replay PATH...  run the target over files or folders once each
if (args.Length == 0 || !FuzzTargets.ByName.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: CornerNet.Fuzzing <{string.Join('|', FuzzTargets.ByName.Keys)}> [--warm-up DIR | --replay PATH...]");
    return 2;
}

var limitMegabytes = Environment.GetEnvironmentVariable("CORNERNET_FUZZ_MAX_RSS_MB") is { Length: > 0 } text
    ? long.Parse(text, CultureInfo.InvariantCulture)
    : 1024;
var guard = new MemoryGuard(limitMegabytes << 20);

if (args.Length > 1 && args[1] == "--replay")
{
    ReplayCoverage.Provide();
    var failures = 0;
    var files = args[2..].SelectMany<string, string>(path => Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal) : [path]);
    foreach (var file in files)
    {
        try
        {
            var bytes = File.ReadAllBytes(file);
            var started = System.Diagnostics.Stopwatch.StartNew();
            guard.Run(() => target(bytes));
            Console.WriteLine($"ok\t{started.ElapsedMilliseconds} ms\t{file}");
        }
#pragma warning disable CA1031 // a replay reports every escaping exception as a finding and goes on
        catch (Exception e)
#pragma warning restore CA1031
        {
            failures++;
            Console.WriteLine($"FAILED\t{file}\t{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    return failures == 0 ? 0 : 1;
}

if (args.Length > 2 && args[1] == "--warm-up")
{
    // Loading libtorch and OpenCV and compiling the target take seconds; done here, before afl's clock starts, the
    // first input is not a false timeout. Refusals are expected; the tests check that the seeds raise nothing else.
    ReplayCoverage.Provide();
    foreach (var file in Directory.EnumerateFiles(args[2]))
    {
        try
        {
            target(File.ReadAllBytes(file));
        }
#pragma warning disable CA1031 // warming up only
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    var bytes = copy.ToArray();
    guard.Run(() => target(bytes));
});
return 0;
