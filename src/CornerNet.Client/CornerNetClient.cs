using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace CornerNet.Client;

/// <summary>
/// A typed client of CornerNet.Service over an <see cref="HttpClient"/> whose <see cref="HttpClient.BaseAddress"/> is the
/// service (register it with <c>services.AddHttpClient&lt;CornerNetClient&gt;(c =&gt; c.BaseAddress = ...)</c>). Error
/// answers become <see cref="CornerNetProblemException"/>; 503 and 429 are retried after their Retry-After, at most
/// <see cref="CornerNetClientOptions.MaxRetries"/> times. Thread-safe.
/// </summary>
public sealed class CornerNetClient(HttpClient http, CornerNetClientOptions? options = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly CornerNetClientOptions _options = options ?? new CornerNetClientOptions();

    /// <summary>POST /detect: the detections in one image.</summary>
    public Task<DetectionResult> DetectAsync(ImageUpload image, DetectOptions? detect = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        return SendJsonAsync<DetectionResult>("detect", detect, null, [image], "image", cancellationToken);
    }

    /// <summary>POST /detect/batch: one result per image, in order (at most the service's Limits:MaxBatchImages).</summary>
    public async Task<IReadOnlyList<DetectionResult>> DetectBatchAsync(
        IReadOnlyList<ImageUpload> images, DetectOptions? detect = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        var batch = await SendJsonAsync<BatchDetectionResult>("detect/batch", detect, null, images, "images", cancellationToken);
        return batch.Results;
    }

    /// <summary>POST /detect/annotated: the image with its boxes drawn, as PNG or (<paramref name="jpeg"/>) JPEG.</summary>
    public async Task<AnnotatedImage> DetectAnnotatedAsync(
        ImageUpload image, DetectOptions? detect = null, bool jpeg = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var response = await SendAsync(() => Multipart(HttpMethod.Post, Query("detect/annotated", detect, jpeg ? "jpeg" : "png"), [image], "image"), cancellationToken);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return new AnnotatedImage(bytes, response.Content.Headers.ContentType?.MediaType ?? "application/octet-stream",
            Header(response, "X-Model"), Header(response, "X-Weights-Sha256"));
    }

    /// <summary>GET /model: the default model and the settings it runs with.</summary>
    public Task<ModelInfo> GetModelAsync(CancellationToken cancellationToken = default) => GetAsync<ModelInfo>("model", cancellationToken);

    /// <summary>GET /models/{name}: one model and the settings it runs with (404 when there is none of that name).</summary>
    public Task<ModelInfo> GetModelAsync(string model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        return GetAsync<ModelInfo>("models/" + Uri.EscapeDataString(model), cancellationToken);
    }

    /// <summary>GET /models: every model the service serves.</summary>
    public Task<ModelList> GetModelsAsync(CancellationToken cancellationToken = default) => GetAsync<ModelList>("models", cancellationToken);

    /// <summary>POST /models/{name}/reload (an admin key): loads the model's weights file again and switches to it
    /// without a gap. A file that cannot be served throws (422, the old weights keep serving); so does a reload already
    /// running (409).</summary>
    public async Task<ReloadResult> ReloadModelAsync(string model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, $"models/{Uri.EscapeDataString(model)}/reload"), cancellationToken);
        return await ReadJsonAsync<ReloadResult>(response, cancellationToken);
    }

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, path), cancellationToken);
        return await ReadJsonAsync<T>(response, cancellationToken);
    }

    private async Task<T> SendJsonAsync<T>(string path, DetectOptions? detect, string? format, IReadOnlyList<ImageUpload> images, string field, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(() => Multipart(HttpMethod.Post, Query(path, detect, format), images, field), cancellationToken);
        return await ReadJsonAsync<T>(response, cancellationToken);
    }

    /// <summary>Sends a fresh request from <paramref name="request"/> until it succeeds, retrying 503 and 429 within the options.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            HttpResponseMessage response;
            using (var message = request())
            {
                if (_options.ApiKey is { } key) message.Headers.Add("X-Api-Key", key);
                response = await http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
            }

            if (response.IsSuccessStatusCode) return response;
            using (response)
            {
                var retryAfter = RetryAfter(response);
                bool retryable = response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests;
                var wait = retryAfter ?? _options.DefaultRetryDelay;
                if (!retryable || attempt >= _options.MaxRetries || wait > _options.MaxRetryDelay)
                {
                    throw await ProblemAsync(response, retryAfter, cancellationToken);
                }

                await Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, cancellationToken);
            }
        }
    }

    private static HttpRequestMessage Multipart(HttpMethod method, string uri, IReadOnlyList<ImageUpload> images, string field)
    {
        var content = new MultipartFormDataContent();
        foreach (var image in images)
        {
            var part = new ReadOnlyMemoryContent(image.Content);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Add(part, field, image.FileName);
        }

        return new HttpRequestMessage(method, uri) { Content = content };
    }

    private static string Query(string path, DetectOptions? detect, string? format)
    {
        var query = new List<string>();
        if (detect?.ScoreThreshold is { } threshold) query.Add("scoreThreshold=" + threshold.ToString("R", CultureInfo.InvariantCulture));
        if (detect?.MaxDetections is { } max) query.Add("maxDetections=" + max.ToString(CultureInfo.InvariantCulture));
        if (detect?.Classes is { Count: > 0 } classes) query.Add("classes=" + Uri.EscapeDataString(string.Join(',', classes)));
        if (detect?.Model is { } model) query.Add("model=" + Uri.EscapeDataString(model));
        if (format is not null) query.Add("format=" + format);
        return query.Count == 0 ? path : path + "?" + string.Join('&', query);
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow,
        _ => null,
    };

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken) =>
        await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
        ?? throw new CornerNetProblemException(response.StatusCode, null, "Empty response", "the service answered with no JSON body", null, null);

    private static async Task<CornerNetProblemException> ProblemAsync(HttpResponseMessage response, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        string? type = null, title = null, detail = null, instance = null;
        if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
        {
            try
            {
                using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    type = Text(document.RootElement, "type");
                    title = Text(document.RootElement, "title");
                    detail = Text(document.RootElement, "detail");
                    instance = Text(document.RootElement, "instance");
                }
            }
            catch (JsonException)
            {
                // Not a problem document after all: the status alone describes it.
            }
        }

        return new CornerNetProblemException(response.StatusCode, type, title ?? response.ReasonPhrase, detail, instance, retryAfter);
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
