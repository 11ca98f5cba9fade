using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using CornerNet.Tools.Common;
using Xunit.Abstractions;

namespace CornerNet.Service.Tests.Reliability;

/// <summary>
/// Issue 15's input probes replayed against the real service process (the demo model, default settings), with
/// bounded counts and times: lying and cut-off images, huge images and batches of them, connections that declare
/// 20 MB and send 64 KB, multipart abuse, a chunked body over the limit. Targets: no 5xx, no hang, peak resident
/// memory at most 1.5 GB under each probe, back under 600 MB within 60 s. Memory is read from /proc (VmRSS, VmHWM,
/// the peak reset before each probe).
/// </summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
[Trait(TestCategories.Category, TestCategories.External)]
public sealed class HostileInputTests(HostileInputTests.Service service, ITestOutputHelper output) : IClassFixture<HostileInputTests.Service>
{
    private const long PeakTarget = 1536L * 1024 * 1024;
    private const long SettledTarget = 600L * 1024 * 1024;
    private static readonly TimeSpan SettleWithin = TimeSpan.FromSeconds(60);

    /// <summary>The 117 KB PNG of a 6324 x 6324 black image (complete: it decodes to 40 megapixels).</summary>
    private static readonly Lazy<byte[]> HugePng = new(() => HostileImages.LyingPng(6324, 6324, rows: 6324));

    public sealed class Service : IAsyncLifetime
    {
        public ServiceChildProcess Process { get; private set; } = null!;

        public HttpClient Client { get; private set; } = null!;

        public ProcessMemory Memory { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Process = await StartDemoServiceAsync(Directory.CreateTempSubdirectory("hostile-input-").FullName);
            Client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = Process.Address, Timeout = TimeSpan.FromSeconds(120) };
            Memory = new ProcessMemory(Process.Process.Id);
        }

        public async Task DisposeAsync()
        {
            Client.Dispose();
            await Process.DisposeAsync();
        }
    }

    /// <summary>The service as shipped (appsettings.json: the demo model), on CPU, with its temporary folder in
    /// <paramref name="tempFolder"/>. <c>CORNERNET_SERVICE_DLL</c> replays the probes against another build.</summary>
    internal static Task<ServiceChildProcess> StartDemoServiceAsync(string tempFolder) =>
        ServiceChildProcess.StartAsync(new ServiceLaunch(
            Environment.GetEnvironmentVariable("CORNERNET_SERVICE_DLL") ?? ServiceProcess.ServiceDll, RepositoryPaths.Root)
        {
            Environment = new Dictionary<string, string> { ["Model__Device"] = "cpu", ["TMPDIR"] = tempFolder },
            StopGrace = TimeSpan.Zero,
            ReadyTimeout = TimeSpan.FromSeconds(180),
        });

    private static ByteArrayContent Raw(byte[] bytes, string contentType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    /// <summary>Runs one probe from settled memory with a fresh peak, checks no answer was a 5xx (a 503 only with Retry-After) and the
    /// peak against the target, and prints what it cost.</summary>
    private async Task<List<HttpStatusCode>> ProbeAsync(string name, Func<Task<IEnumerable<HttpResponseMessage>>> probe)
    {
        // Each probe starts from a settled service: what the one before left must be handed back within the target.
        await AssertMemoryReturnsAsync($"the probe before '{name}'");
        var memory = service.Memory;
        memory.ResetPeak();
        long before = memory.Resident;
        var watch = Stopwatch.StartNew();
        var responses = (await probe()).ToList();
        long peak = memory.Peak;
        output.WriteLine($"{name}: {responses.Count} answers ({string.Join(", ", responses.GroupBy(r => (int)r.StatusCode).Select(g => $"{g.Count()}x {g.Key}"))}) " +
                         $"in {watch.Elapsed.TotalSeconds:F1} s; resident {ProcessMemory.Megabytes(before)} -> peak {ProcessMemory.Megabytes(peak)}");
        foreach (var response in responses)
        {
            Assert.True((int)response.StatusCode < 500 || response.StatusCode == HttpStatusCode.ServiceUnavailable,
                $"{name}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable) Assert.NotNull(response.Headers.RetryAfter);
        }

        Assert.True(peak <= PeakTarget, $"{name}: peak resident memory {ProcessMemory.Megabytes(peak)}");
        return [.. responses.Select(r => r.StatusCode)];
    }

    private async Task AssertMemoryReturnsAsync(string after)
    {
        var took = await service.Memory.WaitUntilUnderAsync(SettledTarget, SettleWithin);
        output.WriteLine($"after {after}: resident {ProcessMemory.Megabytes(service.Memory.Resident)}" +
                         (took is { } t ? $" (under {ProcessMemory.Megabytes(SettledTarget)} after {t.TotalSeconds:F1} s)" : ""));
        Assert.True(took is not null, $"resident memory {ProcessMemory.Megabytes(service.Memory.Resident)} was not under {ProcessMemory.Megabytes(SettledTarget)} within {SettleWithin.TotalSeconds} s of {after}");
    }

    [Fact]
    public async Task Lying_and_cut_off_images_are_400_without_being_decoded()
    {
        var lyingPng = HostileImages.LyingPng(6324, 6324, rows: 4);
        var lyingJpeg = HostileImages.LyingJpeg(TestImages.Jpeg(16, 16), 6324, 6324);
        var cutPng = HostileImages.Cut(HugePng.Value, 0.5);
        output.WriteLine($"probes: {lyingPng.Length}-byte PNG, {lyingJpeg.Length}-byte JPEG, {cutPng.Length}-byte PNG cut at 50%");
        long before = 0;
        var statuses = await ProbeAsync("lying and cut images x10", async () =>
        {
            var answers = new List<HttpResponseMessage>();
            before = service.Memory.Resident;
            for (var i = 0; i < 10; i++)
            {
                answers.Add(await service.Client.PostAsync("/detect", Raw(lyingPng, "image/png")));
                answers.Add(await service.Client.PostAsync("/detect", Raw(lyingJpeg, "image/jpeg")));
                answers.Add(await service.Client.PostAsync("/detect", Raw(cutPng, "image/png")));
            }

            return answers;
        });
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.BadRequest, s));
        // One 40-megapixel decode alone is 240 MB (the decoder's pixels and their copy).
        Assert.True(service.Memory.Peak - before < 160L * 1024 * 1024, $"the refusals raised resident memory from {ProcessMemory.Megabytes(before)} to {ProcessMemory.Megabytes(service.Memory.Peak)}");
    }

    [Fact]
    public async Task Huge_images_and_batches_of_them_stay_under_the_memory_target_and_memory_returns()
    {
        var huge = HugePng.Value;
        output.WriteLine($"probe: a {huge.Length / 1024} KB PNG of 6324x6324");
        var one = await ProbeAsync("one huge PNG", async () => [await service.Client.PostAsync("/detect", Raw(huge, "image/png"))]);
        Assert.Equal(HttpStatusCode.OK, one[0]);

        // Limits:MaxPixelsInFlight (64 million) holds one of them at a time; the others are 503 at once.
        var eight = await ProbeAsync("8 huge PNGs at once", async () =>
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => service.Client.PostAsync("/detect", Raw(huge, "image/png")))));
        Assert.All(eight, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{s}"));
        Assert.Contains(HttpStatusCode.OK, eight);
        Assert.Contains(HttpStatusCode.ServiceUnavailable, eight);

        var batches = await ProbeAsync("/detect/batch of 16 huge PNGs, twice at once", async () =>
            await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
            {
                var form = new MultipartFormDataContent();
                for (var i = 0; i < 16; i++) form.Add(new ByteArrayContent(huge), "images", $"{i}.png");
                return service.Client.PostAsync("/detect/batch", form);
            })));
        Assert.All(batches, s => Assert.Equal(HttpStatusCode.UnprocessableEntity, s));

        await AssertMemoryReturnsAsync("the huge images");
        Assert.Equal(HttpStatusCode.OK, (await service.Client.PostAsync("/detect", Raw(TestImages.Png(64, 48), "image/png"))).StatusCode);
    }

    [Fact]
    public async Task Connections_that_declare_20_MB_and_send_64_KB_hold_only_what_they_sent()
    {
        const int connections = 200;
        var sockets = new List<TcpClient>();
        await AssertMemoryReturnsAsync("the probe before");
        long before = service.Memory.Resident;
        service.Memory.ResetPeak();
        try
        {
            var header = Encoding.ASCII.GetBytes(
                $"POST /detect HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\nContent-Length: {20 * 1024 * 1024}\r\n\r\n");
            var part = TestImages.Png(64, 48).Concat(new byte[64 * 1024]).Take(64 * 1024).ToArray();
            for (var i = 0; i < connections; i++)
            {
                var socket = new TcpClient();
                await socket.ConnectAsync(IPAddress.Loopback, service.Process.Port);
                await socket.GetStream().WriteAsync(header);
                await socket.GetStream().WriteAsync(part);
                sockets.Add(socket);
            }

            await Task.Delay(TimeSpan.FromSeconds(3));
            long held = service.Memory.Resident;
            output.WriteLine($"{connections} connections x 64 KB of a declared 20 MB: resident {ProcessMemory.Megabytes(before)} -> {ProcessMemory.Megabytes(held)}, peak {ProcessMemory.Megabytes(service.Memory.Peak)}");
            // 12.8 MB received; buffers sized from Content-Length committed 4 GB.
            Assert.True(held - before < 256L * 1024 * 1024, $"resident memory grew from {ProcessMemory.Megabytes(before)} to {ProcessMemory.Megabytes(held)}");
            Assert.True(service.Memory.Peak <= PeakTarget, $"peak {ProcessMemory.Megabytes(service.Memory.Peak)}");
            Assert.Equal(HttpStatusCode.OK, (await service.Client.PostAsync("/detect", Raw(TestImages.Png(64, 48), "image/png"))).StatusCode);
        }
        finally
        {
            foreach (var socket in sockets) socket.Dispose();
        }

        await AssertMemoryReturnsAsync("the held connections");
    }

    [Fact]
    public async Task Multipart_abuse_is_400_saying_what_and_a_30_MB_chunked_upload_is_413()
    {
        static ByteArrayContent Multipart(string boundary, string partHeaders, int parts, byte[] body)
        {
            var text = new StringBuilder();
            for (var i = 0; i < parts; i++) text.Append(CultureInfo.InvariantCulture, $"--{boundary}\r\n{partHeaders}\r\n\r\n{Encoding.Latin1.GetString(body)}\r\n");
            text.Append(CultureInfo.InvariantCulture, $"--{boundary}--\r\n");
            var content = new ByteArrayContent(Encoding.Latin1.GetBytes(text.ToString()));
            content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");
            return content;
        }

        var image = TestImages.Png(32, 32);
        const string filePart = "Content-Disposition: form-data; name=\"image\"; filename=\"a.png\"";
        var cases = new (string Name, Func<HttpContent> Content, HttpStatusCode Status, string Detail)[]
        {
            ("1,000 parts", () => Multipart("xyz", filePart, 1000, new byte[100]), HttpStatusCode.BadRequest, "parts"),
            ("a 10 MB header line", () => Multipart("xyz", filePart + "; x=\"" + new string('a', 10 * 1024 * 1024) + "\"", 1, image), HttpStatusCode.BadRequest, "header"),
            ("a 200-character boundary", () => Multipart(new string('b', 200), filePart, 1, image), HttpStatusCode.BadRequest, "boundary"),
        };
        foreach (var (name, content, status, detail) in cases)
        {
            var statuses = await ProbeAsync(name, async () =>
            {
                var response = await service.Client.PostAsync("/detect", content());
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == status, $"{name}: {(int)response.StatusCode} {body}");
                Assert.Contains(detail, body, StringComparison.OrdinalIgnoreCase);
                return [response];
            });
            Assert.Equal(status, statuses[0]);
        }

        // The service answers 413 and closes while the client is still sending, which HttpClient reports as a failed
        // send; a socket reads the answer.
        var chunked = await ProbeAsync("a 30 MB chunked multipart upload", async () => [await SendChunkedMultipartAsync(30 * 1024 * 1024)]);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked[0]);
    }

    /// <summary>POSTs a multipart body of <paramref name="bytes"/> bytes with chunked transfer encoding over a raw
    /// socket, stops sending when the service closes, and returns the service's answer.</summary>
    private async Task<HttpResponseMessage> SendChunkedMultipartAsync(int bytes)
    {
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, service.Process.Port);
        var stream = socket.GetStream();
        var answer = new MemoryStream();
        var reading = stream.CopyToAsync(answer);
        async Task SendChunkAsync(byte[] data)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(data.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
            await stream.WriteAsync(data);
            await stream.WriteAsync("\r\n"u8.ToArray());
        }

        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(
                "POST /detect HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Type: multipart/form-data; boundary=xyz\r\n\r\n"));
            await SendChunkAsync(Encoding.ASCII.GetBytes("--xyz\r\nContent-Disposition: form-data; name=\"image\"; filename=\"big.png\"\r\n\r\n"));
            var block = new byte[64 * 1024];
            for (var sent = 0; sent < bytes && !reading.IsCompleted; sent += block.Length) await SendChunkAsync(block);
            await SendChunkAsync(Encoding.ASCII.GetBytes("\r\n--xyz--\r\n"));
            await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
        }
        catch (IOException)
        {
            // The service closed the connection after answering.
        }

        await Task.WhenAny(reading, Task.Delay(TimeSpan.FromSeconds(30)));
        var text = Encoding.Latin1.GetString(answer.ToArray());
        output.WriteLine($"chunked upload answer: {text.Split("\r\n")[0]}");
        var status = int.Parse(text.Split(' ')[1], CultureInfo.InvariantCulture);
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StringContent(text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]) };
        if (text.Contains("Retry-After", StringComparison.OrdinalIgnoreCase)) response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(1));
        Assert.Contains("Limits:MaxRequestBytes", text);
        return response;
    }
}
