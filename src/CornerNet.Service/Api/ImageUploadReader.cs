using CornerNet.Service.Configuration;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace CornerNet.Service.Api;

/// <summary>
/// Gets the uploaded image bytes out of a request: a multipart/form-data field (what Swagger UI and browsers send)
/// or the raw body. The declared content type of the bytes is not trusted; the decoder recognises the format.
/// Bodies are read as they arrive into pooled buffers (<see cref="PooledBodyBuffer"/>), counted against the
/// body-bytes budget all requests share; nothing is sized from Content-Length and nothing is written to disk (the
/// framework's form reader would buffer large parts in temporary files).
/// </summary>
public sealed class ImageUploadReader(IOptions<LimitsOptions> limits, RequestBudgets budgets)
{
    public const string SingleField = "image";
    public const string BatchField = "images";

    /// <summary>RFC 2046's limit on a multipart boundary.</summary>
    public const int MaxBoundaryLength = 70;

    public async Task<byte[]> ReadSingleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        RejectDeclaredOversize(request);
        var lease = BodyLease(request);
        if (IsMultipartForm(request))
        {
            var files = await ReadFilesAsync(request, SingleField, lease, cancellationToken);
            return files.Count > 0
                ? files[0]
                : throw new ApiProblemException(StatusCodes.Status400BadRequest, "No image",
                    $"The multipart form has no file field named '{SingleField}'.");
        }

        var body = await ReadAsync(request.Body, limits.Value.MaxRequestBytes, lease, cancellationToken);
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

        var files = await ReadFilesAsync(request, BatchField, BodyLease(request), cancellationToken);
        return files.Count > 0
            ? files
            : throw new ApiProblemException(StatusCodes.Status400BadRequest, "No image",
                $"The multipart form has no file fields named '{BatchField}'.");
    }

    /// <summary>One lease on the body-bytes budget per request, given back when the response has been sent.</summary>
    private InFlightBudget.Lease BodyLease(HttpRequest request)
    {
        var lease = budgets.BodyBytes.TryLease(0)!;
        request.HttpContext.Response.RegisterForDispose(lease);
        return lease;
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

    /// <summary>
    /// The file parts named <paramref name="field"/>, in order (at most one for the single-image field). Other parts
    /// are read and dropped. Too many parts, a part header or a boundary too long, or a malformed body is 400; more
    /// than Limits:MaxRequestBytes, whether declared or counted as it arrives (chunked), is 413.
    /// </summary>
    private async Task<List<byte[]>> ReadFilesAsync(HttpRequest request, string field, InFlightBudget.Lease lease, CancellationToken cancellationToken)
    {
        var options = limits.Value;
        var reader = new MultipartReader(Boundary(request), request.Body)
        {
            HeadersLengthLimit = options.MaxPartHeaderBytes,
            BodyLengthLimit = options.MaxRequestBytes,
        };
        var files = new List<byte[]>();
        long received = 0;
        int parts = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (++parts > options.MaxFormParts)
                {
                    throw new ApiProblemException(StatusCodes.Status400BadRequest, "Too many parts",
                        $"The multipart body has more than {options.MaxFormParts} parts (Limits:MaxFormParts).");
                }

                var bytes = await ReadAsync(section.Body, options.MaxRequestBytes - received, lease, cancellationToken);
                received += bytes.Length;
                if (!IsFile(section, field)) continue;
                if (bytes.Length == 0)
                {
                    throw new ApiProblemException(StatusCodes.Status400BadRequest, "No image",
                        $"The file '{FileName(section)}' is empty.");
                }

                if (field == SingleField && files.Count == 1) continue; // the first one is the image
                files.Add(bytes);
                if (files.Count > options.MaxBatchImages)
                {
                    throw new ApiProblemException(StatusCodes.Status400BadRequest, "Too many images",
                        $"More than {options.MaxBatchImages} images sent; at most {options.MaxBatchImages} (Limits:MaxBatchImages) per request.");
                }
            }
        }
        catch (InvalidDataException e) when (e.Message.Contains("body length limit", StringComparison.OrdinalIgnoreCase))
        {
            throw TooLarge();
        }
        catch (InvalidDataException e) when (e.Message.Contains("header", StringComparison.OrdinalIgnoreCase)
                                             || e.Message.Contains("Line length", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Multipart header too long",
                $"A part's headers are longer than {options.MaxPartHeaderBytes} bytes or more than 16 lines (Limits:MaxPartHeaderBytes): {e.Message}");
        }
        catch (InvalidDataException e)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Malformed multipart body", e.Message);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel's own count of a body without Content-Length (chunked) went over Limits:MaxRequestBytes.
            throw TooLarge();
        }
        catch (IOException e) when (e is not BadHttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            // A body that ends inside a part (the client is still there: a gone client cancels the token).
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Malformed multipart body",
                $"The multipart body ends before its closing boundary ({e.Message.Split(',')[0]}).");
        }

        return files;
    }

    private static string Boundary(HttpRequest request)
    {
        var boundary = MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            ? HeaderUtilities.RemoveQuotes(type.Boundary).Value
            : null;
        if (string.IsNullOrWhiteSpace(boundary))
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Malformed multipart body",
                "The multipart/form-data content type has no boundary parameter.");
        }

        return boundary.Length <= MaxBoundaryLength
            ? boundary
            : throw new ApiProblemException(StatusCodes.Status400BadRequest, "Multipart boundary too long",
                $"The multipart boundary has {boundary.Length} characters; at most {MaxBoundaryLength} (RFC 2046).");
    }

    private static bool IsFile(MultipartSection section, string field) =>
        ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
        && disposition.IsFileDisposition()
        && string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, field, StringComparison.Ordinal);

    private static string FileName(MultipartSection section) =>
        ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
            ? HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? ""
            : "";

    /// <summary>Reads at most <paramref name="limit"/> bytes as they arrive, whatever Content-Length claims (or omits).</summary>
    private async Task<byte[]> ReadAsync(Stream body, long limit, InFlightBudget.Lease lease, CancellationToken cancellationToken)
    {
        using var buffer = new PooledBodyBuffer(lease);
        await buffer.ReadToEndAsync(body, limit, TooLarge, budgets.BodyBytesExhausted, cancellationToken);
        return buffer.ToArray();
    }
}
