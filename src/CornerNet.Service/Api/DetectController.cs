using CornerNet.Model.Inference;
using CornerNet.Service.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;

namespace CornerNet.Service.Api;

/// <summary>Object detection.</summary>
[ApiController]
[Route("detect")]
[Authorize(Policy = ApiScopes.Detect)]
public sealed class DetectController(DetectionCoordinator coordinator, ImageUploadReader uploads) : ControllerBase
{
    /// <summary>The model that answered POST /detect/annotated.</summary>
    public const string ModelHeader = "X-Model";

    /// <summary>The SHA-256 of the weights that answered POST /detect/annotated.</summary>
    public const string WeightsHeader = "X-Weights-Sha256";

    /// <summary>Detects objects in one image.</summary>
    /// <remarks>
    /// Send the image as the multipart/form-data file field <c>image</c> (as Swagger UI's "Try it out" does), or as
    /// the raw request body. JPEG, PNG, BMP and WebP are accepted by default; the format is recognised from the bytes,
    /// whatever the declared content type. Boxes are in the pixels of the image after its EXIF orientation.
    /// </remarks>
    /// <param name="scoreThreshold">Minimum score, 0..1 (default from Detection:ScoreThreshold).</param>
    /// <param name="maxDetections">Most detections returned, 1..100 (default from Detection:MaxDetections).</param>
    /// <param name="classes">Comma-separated class names or indices to keep, e.g. <c>person,dog</c> or <c>0,16</c>.</param>
    /// <param name="model">The model to run (GET /models); Detection:DefaultModel when left out.</param>
    /// <response code="200">The detections, with the model and the weights (SHA-256) that answered.</response>
    /// <response code="404">No model has that name.</response>
    [HttpPost]
    [ImageUpload(ImageUploadReader.SingleField, multiple: false)]
    [ProducesResponseType<DetectionResponse>(StatusCodes.Status200OK)]
    public async Task<ActionResult<DetectionResponse>> Detect(
        [FromQuery] float? scoreThreshold, [FromQuery] int? maxDetections, [FromQuery] string? classes, [FromQuery] string? model)
    {
        var aborted = HttpContext.RequestAborted;
        var image = await uploads.ReadSingleAsync(Request, aborted);
        return await coordinator.DetectAsync(image, new DetectionQuery(scoreThreshold, maxDetections, classes, model), aborted);
    }

    /// <summary>Detects objects in several images; one result per image, in the order sent.</summary>
    /// <remarks>multipart/form-data with one file field named <c>images</c> per image (at most Limits:MaxBatchImages).
    /// If any image is invalid the whole request fails, and the problem names the image's index.</remarks>
    /// <param name="scoreThreshold">Minimum score, 0..1 (default from Detection:ScoreThreshold).</param>
    /// <param name="maxDetections">Most detections returned per image, 1..100.</param>
    /// <param name="classes">Comma-separated class names or indices to keep.</param>
    /// <param name="model">The model to run (GET /models); Detection:DefaultModel when left out.</param>
    /// <response code="200">One result per image.</response>
    /// <response code="404">No model has that name.</response>
    [HttpPost("batch")]
    [ImageUpload(ImageUploadReader.BatchField, multiple: true)]
    [ProducesResponseType<BatchDetectionResponse>(StatusCodes.Status200OK)]
    public async Task<ActionResult<BatchDetectionResponse>> DetectBatch(
        [FromQuery] float? scoreThreshold, [FromQuery] int? maxDetections, [FromQuery] string? classes, [FromQuery] string? model)
    {
        var aborted = HttpContext.RequestAborted;
        var images = await uploads.ReadBatchAsync(Request, aborted);
        var results = await coordinator.DetectManyAsync(images, new DetectionQuery(scoreThreshold, maxDetections, classes, model), aborted);
        return new BatchDetectionResponse(results);
    }

    /// <summary>Detects objects in one image and returns the image with the boxes drawn on it.</summary>
    /// <remarks>Same upload and query options as POST /detect. Each box is a 2-pixel outline inside its pixel bounds,
    /// in a colour per class; the image keeps its size (after EXIF orientation) and is otherwise unchanged, except
    /// when Limits:MaxInferenceSide has the decoder reduce a large JPEG: the image is then returned at its reduced size.
    /// PNG unless <c>format=jpeg</c> or the Accept header prefers image/jpeg.</remarks>
    /// <param name="scoreThreshold">Minimum score, 0..1 (default from Detection:ScoreThreshold).</param>
    /// <param name="maxDetections">Most boxes drawn, 1..100.</param>
    /// <param name="classes">Comma-separated class names or indices to draw.</param>
    /// <param name="format"><c>png</c> or <c>jpeg</c>; overrides the Accept header.</param>
    /// <param name="model">The model to run (GET /models); Detection:DefaultModel when left out.</param>
    /// <response code="200">The annotated image; the headers X-Model and X-Weights-Sha256 say which weights answered.</response>
    /// <response code="404">No model has that name.</response>
    [HttpPost("annotated")]
    [ImageUpload(ImageUploadReader.SingleField, multiple: false)]
    [ProducesResponseType<FileResult>(StatusCodes.Status200OK, "image/png", "image/jpeg")]
    public async Task<IActionResult> DetectAnnotated(
        [FromQuery] float? scoreThreshold, [FromQuery] int? maxDetections, [FromQuery] string? classes, [FromQuery] string? format,
        [FromQuery] string? model)
    {
        var (contentType, encoder) = ChooseEncoding(format);
        var aborted = HttpContext.RequestAborted;
        var upload = await uploads.ReadSingleAsync(Request, aborted);
        var (image, isBgr, response, pixels) = await coordinator.DetectWithPixelsAsync(
            upload, new DetectionQuery(scoreThreshold, maxDetections, classes, model), aborted);
        using var heldPixels = pixels;
        Response.Headers[ModelHeader] = response.Model;
        Response.Headers[WeightsHeader] = response.WeightsSha256;
        var boxes = response.Detections.Select(d => new Detection(d.ClassIndex, d.Label, d.Score, d.Bbox[0], d.Bbox[1], d.Bbox[2], d.Bbox[3])).ToList();
        using var annotated = BoxPainter.Paint(image, isBgr, boxes);
        using var encoded = new MemoryStream();
        await annotated.SaveAsync(encoded, encoder, aborted);
        return File(encoded.ToArray(), contentType);
    }

    private (string ContentType, IImageEncoder Encoder) ChooseEncoding(string? format)
    {
        var jpeg = format?.ToLowerInvariant() switch
        {
            "jpeg" or "jpg" => true,
            "png" => false,
            null or "" => Request.GetTypedHeaders().Accept
                .Where(a => a.MediaType.Value is "image/jpeg" or "image/png")
                .OrderByDescending(a => a.Quality ?? 1)
                .FirstOrDefault()?.MediaType.Value == "image/jpeg",
            _ => throw new ApiProblemException(StatusCodes.Status400BadRequest, "Invalid query", $"format must be png or jpeg (got '{format}')."),
        };
        return jpeg ? ("image/jpeg", new JpegEncoder { Quality = 90 }) : ("image/png", new PngEncoder());
    }
}
