using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using CornerNet.Tools.Common;

namespace CornerNet.Service.Tests.Deployment;

/// <summary>
/// The repository's nginx configuration (docker/nginx/detector.conf) in front of the real service, both as real
/// processes on loopback: what the compose deployment does, without a Docker engine.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Slow)]
[Trait(TestCategories.Category, TestCategories.External)]
public sealed class ReverseProxyTests(ReverseProxyTests.Deployment deployment) : IClassFixture<ReverseProxyTests.Deployment>, IDisposable
{
    /// <summary>One service process and one nginx for the whole class.</summary>
    public sealed class Deployment : IAsyncLifetime
    {
        public ServiceChildProcess Service { get; private set; } = null!;

        public NginxProcess Nginx { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Service = await ServiceProcess.StartAsync();
            Nginx = await NginxProcess.StartAsync(Service.Port);
        }

        public async Task DisposeAsync()
        {
            await Nginx.DisposeAsync();
            await Service.DisposeAsync();
        }
    }

    private readonly ServiceChildProcess _service = deployment.Service;
    private readonly NginxProcess _nginx = deployment.Nginx;
    private readonly HttpClient _client = new() { BaseAddress = deployment.Nginx.Address };

    public void Dispose() => _client.Dispose();

    private static ByteArrayContent Png(int width, int height)
    {
        var content = new ByteArrayContent(TestImages.Png(width, height));
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return content;
    }

    [Fact]
    public async Task Detection_health_and_swagger_work_through_the_proxy_also_under_a_prefix()
    {
        var detect = await _client.PostAsync("/detect", new MultipartFormDataContent { { Png(64, 48), "image", "a.png" } });
        Assert.Equal(HttpStatusCode.OK, detect.StatusCode);
        Assert.Equal(64, JsonDocument.Parse(await detect.Content.ReadAsStringAsync()).RootElement.GetProperty("width").GetInt32());

        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/health/ready")).StatusCode);
        var ui = await _client.GetAsync("/swagger/index.html");
        Assert.Equal(HttpStatusCode.OK, ui.StatusCode);
        Assert.Contains("swagger-ui", await ui.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/cornernet/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync("/cornernet/detect", Png(32, 32))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/cornernet/swagger/index.html")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/cornernet/swagger/v1/swagger.json")).StatusCode);
    }

    [Fact]
    public async Task Json_is_gzipped()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/swagger/v1/swagger.json");
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("gzip", response.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task A_body_over_the_services_limit_is_refused_by_the_proxy_with_413()
    {
        var body = new ByteArrayContent(new byte[21 * 1024 * 1024]);
        body.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        var response = await _client.PostAsync("/detect", body);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_burst_of_detect_requests_is_rate_limited_with_429()
    {
        // GET /detect is cheap for the service (405) but counts against the proxy's rate limit like any /detect call.
        var responses = await Task.WhenAll(Enumerable.Range(0, 120).Select(_ => _client.GetAsync("/detect")));
        Assert.Contains(responses, r => r.StatusCode == (HttpStatusCode)429);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.MethodNotAllowed);
        // Other paths are not limited.
        Assert.Equal(HttpStatusCode.OK, (await _client.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task The_services_log_shows_the_real_client_address_from_x_forwarded_for()
    {
        // The test client connects from 127.0.0.2; nginx (127.0.0.1 to the service) forwards that in X-Forwarded-For.
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler) { BaseAddress = _nginx.Address };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/model?marker=xff")).StatusCode);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        string? line;
        while ((line = _service.Process.Lines.FirstOrDefault(l => l.Contains("/model") && l.Contains("ClientAddress"))) is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.NotNull(line);
        Assert.Equal("127.0.0.2", JsonDocument.Parse(line!).RootElement.GetProperty("ClientAddress").GetString());
    }
}
