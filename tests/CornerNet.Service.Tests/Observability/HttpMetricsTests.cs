using System.Net;
using System.Net.Http.Headers;

namespace CornerNet.Service.Tests.Observability;

/// <summary>The request metrics count each answer under the status the client received, problem answers included.</summary>
public sealed class HttpMetricsTests
{
    [Fact]
    public async Task Problem_answers_are_counted_under_their_own_status_not_200()
    {
        await using var factory = new ServiceFactory();
        using var client = await factory.CreateReadyClientAsync();
        var before = await MetricsSnapshot.ReadAsync(client);

        using var notAnImage = new ByteArrayContent([1, 2, 3, 4]);
        notAnImage.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/detect", notAnImage)).StatusCode);
        using var form = new ByteArrayContent(TestImages.Png(8, 8));
        form.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await client.PostAsync("/detect/batch", form)).StatusCode);
        using var image = new ByteArrayContent(TestImages.Png(32, 32));
        image.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/detect", image)).StatusCode);

        var after = await MetricsSnapshot.ReadAsync(client);
        double Counted(string code) =>
            after.Sum("http_requests_received_total", $"code=\"{code}\"", "method=\"POST\"") -
            before.Sum("http_requests_received_total", $"code=\"{code}\"", "method=\"POST\"");
        Assert.Equal(1, Counted("400"));
        Assert.Equal(1, Counted("415"));
        Assert.Equal(1, Counted("200"));
    }
}
