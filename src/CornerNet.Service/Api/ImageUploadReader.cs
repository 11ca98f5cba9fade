using CornerNet.Service.Configuration;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Api;

/// <summary>
/// Gets the uploaded image bytes out of a request: a multipart/form-data field (what Swagger UI and browsers send)
/// or the raw body. The declared content type of the bytes is not trusted; the decoder recognises the format.
/// </summary>
public sealed class ImageUploadReader(IOptions<LimitsOptions> limits)
{
    public const string SingleField = "image";
    public const string BatchField = "images";

    public async Task<byte[]> ReadSingleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        RejectDeclaredOversize(request);
        if (IsMultipartForm(request))
        {
            var form = await ReadFormAsync(request, cancellationToken);
            var file = form.Files.GetFile(SingleField)
                       ?? throw new ApiProblemException(StatusCodes.Status400BadRequest, "No image",
                           $"The multipart form has no file field named '{SingleField}'.");
            return await ReadFileAsync(file, cancellationToken);
        }

        var body = await ReadBodyAsync(request, cancellationToken);
        return body.Length > 0
            ? body
            : throw new ApiProblemException(StatusCodes.Status400BadRequest, "No image",
                $"Send the image as the request body or as the multipart form field '{SingleField}'.");
    }

    /// <summary>
    /// Only multipart/form-data is a form here. Any other content type, application/x-www-form-urlencoded included
    /// (what <c>curl --data-binary</c> declares unless told otherwise), is the image itself as the raw body.
    /// </summary>
    private static bool IsMultipartForm(HttpRequest request) =>
        request.HasFormContentType && request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase);

    public async Task<IReadOnlyList<byte[]>> ReadBatchAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        RejectDeclaredOversize(request);
        if (!IsMultipartForm(request))
        {
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, "Multipart form expected",
                $"POST /detect/batch takes multipart/form-data with one or more file fields named '{BatchField}'.");
        }

        var form = await ReadFormAsync(request, cancellationToken);
        var files = form.Files.GetFiles(BatchField);
        if (files.Count == 0)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "No image",
                $"The multipart form has no file fields named '{BatchField}'.");
        }

        if (files.Count > limits.Value.MaxBatchImages)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Too many images",
                $"{files.Count} images sent; at most {limits.Value.MaxBatchImages} (Limits:MaxBatchImages) per request.");
        }

        var images = new List<byte[]>(files.Count);
        foreach (var file in files)
        {
            images.Add(await ReadFileAsync(file, cancellationToken));
        }

        return images;
    }

    private void RejectDeclaredOversize(HttpRequest request)
    {
        if (request.ContentLength > limits.Value.MaxRequestBytes)
        {
            throw TooLarge();
        }
    }

    private ApiProblemException TooLarge() => new(StatusCodes.Status413PayloadTooLarge, "Request too large",
        $"The request body is larger than {limits.Value.MaxRequestBytes} bytes (Limits:MaxRequestBytes).");

    private async Task<IFormCollection> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            return await request.ReadFormAsync(new FormOptions
            {
                MultipartBodyLengthLimit = limits.Value.MaxRequestBytes,
                ValueCountLimit = 64,
            }, cancellationToken);
        }
        catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            throw TooLarge();
        }
        catch (InvalidDataException e)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Malformed multipart body", e.Message);
        }
        catch (IOException e) when (!cancellationToken.IsCancellationRequested)
        {
            // A body that ends inside a part (the client is still there: a gone client cancels the token).
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Malformed multipart body",
                $"The multipart body ends before its closing boundary ({e.Message.Split(',')[0]}).");
        }
    }

    private static async Task<byte[]> ReadFileAsync(IFormFile file, CancellationToken cancellationToken)
    {
        var bytes = new byte[file.Length];
        await using var stream = file.OpenReadStream();
        await stream.ReadExactlyAsync(bytes, cancellationToken);
        return bytes.Length > 0
            ? bytes
            : throw new ApiProblemException(StatusCodes.Status400BadRequest, "No image", $"The file '{file.FileName}' is empty.");
    }

    /// <summary>Reads at most Limits:MaxRequestBytes, whatever Content-Length claims (or omits).</summary>
    private async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var limit = limits.Value.MaxRequestBytes;
        using var buffer = new MemoryStream(request.ContentLength is > 0 and var length ? (int)Math.Min(length, limit) : 64 * 1024);
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw TooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
