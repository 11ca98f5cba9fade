using System.Diagnostics;
using System.Globalization;
using CornerNet.Model.Inference;
using CornerNet.Service.Batching;
using CornerNet.Service.Configuration;
using CornerNet.Service.Modeling;
using CornerNet.Service.Observability;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Api;

/// <summary>
/// Request-side half of detection: finds the model the request names, validates the query, decodes the image on the
/// request's thread, queues it for that model's batching worker, waits (bounded) for its result and filters it for the
/// response.
/// </summary>
public sealed class DetectionCoordinator(
    ModelRegistry models,
    TimeProvider clock,
    ImageLoader imageLoader,
    RequestBudgets budgets,
    IOptions<LimitsOptions> limits,
    IOptions<DetectionDefaultsOptions> defaults)
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    public async Task<DetectionResponse> DetectAsync(byte[] encoded, DetectionQuery query, CancellationToken requestAborted)
    {
        var (results, pixels) = await RunAsync([encoded], query, requestAborted);
        using (pixels) return results[0].Response;
    }

    public async Task<IReadOnlyList<DetectionResponse>> DetectManyAsync(
        IReadOnlyList<byte[]> encodedImages, DetectionQuery query, CancellationToken requestAborted)
    {
        var (results, pixels) = await RunAsync(encodedImages, query, requestAborted);
        using (pixels) return results.Select(r => r.Response).ToList();
    }

    /// <summary>
    /// The detections and the decoded pixels they refer to (after EXIF orientation, in the model's channel order
    /// <c>IsBgr</c>), for drawing. The pixels stay counted in Limits:MaxPixelsInFlight until <c>PixelLease</c> is disposed.
    /// </summary>
    public async Task<(DecodedImage Image, bool IsBgr, DetectionResponse Response, IDisposable PixelLease)> DetectWithPixelsAsync(
        byte[] encoded, DetectionQuery query, CancellationToken requestAborted)
    {
        var (results, pixels) = await RunAsync([encoded], query, requestAborted);
        return (results[0].Image, results[0].IsBgr, results[0].Response, pixels);
    }

    /// <summary>The model called <paramref name="name"/> (the default one for null), or a 404 problem.</summary>
    public ModelUnit Resolve(string? name) => models.Find(name) ?? throw UnknownModel(name!);

    public static ApiProblemException UnknownModel(string name) => new(StatusCodes.Status404NotFound, "Unknown model",
        $"No model is called '{name}'; GET /models lists them.");

    /// <summary>The weights the model serves now, or a 503 (with Retry-After) while it loads.</summary>
    public static LoadedModel Ready(ModelUnit unit) => unit.Slot.Current ?? throw NotReady(unit);

    private static ApiProblemException NotReady(ModelUnit unit) => new(StatusCodes.Status503ServiceUnavailable, "Model not ready",
        $"The model {unit.Name} is still loading; see /health/ready.", RetryAfter);

    private async Task<(IReadOnlyList<(DecodedImage Image, bool IsBgr, DetectionResponse Response)> Results, InFlightBudget.Lease Pixels)> RunAsync(
        IReadOnlyList<byte[]> encodedImages, DetectionQuery query, CancellationToken requestAborted)
    {
        var unit = Resolve(query.Model);
        var model = ReadyModel(unit);
        var filter = ResolveFilter(query, model.Spec.Classes);
        // Queued all or none: a request with more images than the queue holds could never be admitted.
        if (encodedImages.Count > unit.Options.Batching.QueueCapacity)
        {
            throw new ApiProblemException(StatusCodes.Status422UnprocessableEntity, "Batch too large",
                $"The {encodedImages.Count} images are more than the queue holds (Batching:QueueCapacity {unit.Options.Batching.QueueCapacity}). Send fewer images per request.");
        }

        // Before decoding: a request that would wait too long is refused at once, for the cost of this check.
        Admit(unit);

        // Check every image from its bytes first (format, size, not cut short), so a bad one fails the request before
        // any pixel is decoded, then take the pixels they will decode to from the budget all requests share.
        var infos = new EncodedImageInfo[encodedImages.Count];
        for (var i = 0; i < encodedImages.Count; i++)
        {
            infos[i] = Guarded(() => imageLoader.Inspect(encodedImages[i]), encodedImages.Count > 1 ? i : null);
        }

        var pixels = TakePixels(infos);
        try
        {
            return (await RunAsync(encodedImages, infos, unit, model, filter, requestAborted), pixels);
        }
        catch
        {
            pixels.Dispose();
            throw;
        }
    }

    private InFlightBudget.Lease TakePixels(EncodedImageInfo[] infos)
    {
        // What decoding will hold: the header's size, or less when the decoder reduces a large JPEG (Limits:MaxInferenceSide).
        long wanted = infos.Sum(info => info.DecodedPixels);
        if (infos.Length > 1 && wanted > limits.Value.MaxBatchPixels)
        {
            throw new ApiProblemException(StatusCodes.Status422UnprocessableEntity, "Batch too large",
                $"The {infos.Length} images hold {wanted} pixels together; at most {limits.Value.MaxBatchPixels} " +
                "(Limits:MaxBatchPixels) per request. Send fewer or smaller images per request.");
        }

        return budgets.Pixels.TryLease(wanted) ?? throw budgets.PixelsExhausted(wanted);
    }

    private async Task<IReadOnlyList<(DecodedImage Image, bool IsBgr, DetectionResponse Response)>> RunAsync(
        IReadOnlyList<byte[]> encodedImages, EncodedImageInfo[] infos, ModelUnit unit, LoadedModel model,
        (float Threshold, int Max, HashSet<int>? Classes) filter, CancellationToken requestAborted)
    {
        var decoded = new List<(DecodedImage Image, TimeSpan DecodeTime)>(encodedImages.Count);
        for (var i = 0; i < encodedImages.Count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            using var span = DetectionTracing.StartImageDecode(encodedImages.Count > 1 ? i : null);
            var image = Guarded(() => imageLoader.Load(encodedImages[i], infos[i], model.Spec.IsBgr), encodedImages.Count > 1 ? i : null);
            decoded.Add((image, Stopwatch.GetElapsedTime(started)));
        }

        // One deadline for the whole request, however many images it holds.
        var timeout = TimeSpan.FromSeconds(unit.Options.Batching.RequestTimeoutSeconds);
        var deadline = clock.GetTimestamp() + (long)(timeout.TotalSeconds * clock.TimestampFrequency);
        // Decoding took time the queue may have used: checked again just before queuing.
        Admit(unit);
        var queue = unit.Queue;
        var admission = unit.Admission;
        using var abandon = new RequestAbandonment(requestAborted);
        var enqueuedAt = clock.GetTimestamp();
        var jobs = decoded.Select(d => new DetectionJob(d.Image, enqueuedAt, deadline, abandon)).ToList();
        // All of the request's images or none: a request is admitted or refused as a whole, never half run.
        if (!queue.TryEnqueueAll(jobs))
        {
            throw Rejected(unit, queue.IsOpen
                ? new Rejection(RejectionReason.QueueFull, admission.RetryAfter(admission.ExpectedWait), admission.ExpectedWait)
                : new Rejection(RejectionReason.ShuttingDown, RetryAfter, admission.ExpectedWait));
        }

        unit.Metrics.ImagesQueued.Inc(jobs.Count);
        unit.Metrics.QueueDepth.Set(queue.Depth);
        var responses = new List<(DecodedImage, bool, DetectionResponse)>(jobs.Count);
        try
        {
            for (var i = 0; i < jobs.Count; i++)
            {
                var outcome = await AwaitAsync(jobs[i], Remaining(deadline));
                responses.Add((decoded[i].Image, model.Spec.IsBgr,
                    ToResponse(unit.Name, decoded[i].Image, decoded[i].DecodeTime, outcome, filter, model.Spec.Classes)));
            }
        }
        catch (Exception e)
        {
            // Whatever ended the wait (client gone, timeout, shutdown), jobs still queued must not reach the model.
            // Cancelled here explicitly: the link to RequestAborted may fire after this method has returned.
            await abandon.AbandonAsync(e switch
            {
                ApiProblemException { Status: StatusCodes.Status504GatewayTimeout } => AbandonReason.Timeout,
                ApiProblemException { Status: StatusCodes.Status503ServiceUnavailable } => AbandonReason.ShuttingDown,
                _ => AbandonReason.ClientGone,
            });
            throw;
        }

        return responses;
    }

    private static LoadedModel ReadyModel(ModelUnit unit) =>
        unit.Slot.Current ?? throw Rejected(unit, new Rejection(RejectionReason.NotReady, RetryAfter, TimeSpan.Zero));

    private static void Admit(ModelUnit unit)
    {
        var rejection = unit.Admission.Check();
        unit.Metrics.ExpectedWaitSeconds.Set(unit.Admission.ExpectedWait.TotalSeconds);
        if (rejection is not null) throw Rejected(unit, rejection);
    }

    /// <summary>A 503 with Retry-After, counted under its model and reason.</summary>
    private static ApiProblemException Rejected(ModelUnit unit, Rejection rejection)
    {
        unit.Metrics.Rejected(rejection);
        if (rejection.Reason == RejectionReason.NotReady) return NotReady(unit);
        var (title, detail) = rejection.Reason switch
        {
            RejectionReason.ExpectedWait => ("Busy", ExpectedWaitDetail(unit.Admission, rejection)),
            RejectionReason.QueueFull => ("Busy", "The detection queue is full (Batching:QueueCapacity); retry after the time in Retry-After."),
            RejectionReason.ShuttingDown => ("Shutting down", "The service is shutting down and takes no new work."),
            _ => throw new ArgumentOutOfRangeException(nameof(rejection), rejection.Reason, null),
        };
        return new ApiProblemException(StatusCodes.Status503ServiceUnavailable, title, detail, rejection.RetryAfter);
    }

    private static string ExpectedWaitDetail(QueueAdmission admission, Rejection rejection)
    {
        var limit = admission.MaxQueueWait.TotalMilliseconds;
        var which = admission.IsRelative
            ? string.Create(CultureInfo.InvariantCulture, $"the admission limit ({limit:F0} ms: the longer of 200 ms and one image's time, as Batching:MaxQueueWaitMs is unset)")
            : string.Create(CultureInfo.InvariantCulture, $"Batching:MaxQueueWaitMs ({limit:F0} ms)");
        return string.Create(CultureInfo.InvariantCulture,
            $"The expected queue wait ({rejection.ExpectedWait.TotalMilliseconds:F0} ms) is longer than {which}; retry after the time in Retry-After.");
    }

    /// <summary>Runs an <see cref="ImageLoader"/> step, turning its typed image errors into problem answers naming the image.</summary>
    private static T Guarded<T>(Func<T> step, int? index)
    {
        var which = index is null ? "The image" : $"Image {index}";
        try
        {
            return step();
        }
        catch (UnsupportedImageFormatException e)
        {
            throw new ApiProblemException(StatusCodes.Status415UnsupportedMediaType, "Unsupported image format", $"{which}: {e.Message}");
        }
        catch (ImageTooLargeException e)
        {
            throw new ApiProblemException(StatusCodes.Status422UnprocessableEntity, "Image too large", $"{which}: {e.Message}");
        }
        catch (InvalidImageException e)
        {
            throw new ApiProblemException(StatusCodes.Status400BadRequest, "Undecodable image", $"{which}: {e.Message}");
        }
    }

    private static async Task<JobOutcome> AwaitAsync(DetectionJob job, TimeSpan timeout)
    {
        try
        {
            return await job.Completion.WaitAsync(timeout, job.RequestAborted);
        }
        catch (Exception e) when (e is TimeoutException or JobExpiredException)
        {
            throw TimedOut();
        }
        catch (ServiceStoppingException e)
        {
            throw new ApiProblemException(StatusCodes.Status503ServiceUnavailable, "Shutting down", e.Message, RetryAfter);
        }
    }

    /// <summary>Time left until <paramref name="deadline"/> (a timestamp of the injected clock); zero once it has passed.</summary>
    private TimeSpan Remaining(long deadline)
    {
        var left = clock.GetElapsedTime(clock.GetTimestamp(), deadline);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    private static ApiProblemException TimedOut() => new(StatusCodes.Status504GatewayTimeout, "Timed out",
        "The image was not processed within Batching:RequestTimeoutSeconds.");

    private (float Threshold, int Max, HashSet<int>? Classes) ResolveFilter(DetectionQuery query, IReadOnlyList<string> classes)
    {
        var threshold = query.ScoreThreshold ?? defaults.Value.ScoreThreshold;
        if (!float.IsFinite(threshold) || threshold is < 0 or > 1)
        {
            throw BadQuery($"scoreThreshold must be between 0 and 1 (got {threshold}).");
        }

        var max = query.MaxDetections ?? defaults.Value.MaxDetections;
        if (max is < 1 or > 100)
        {
            throw BadQuery($"maxDetections must be between 1 and 100 (got {max}).");
        }

        if (string.IsNullOrWhiteSpace(query.Classes))
        {
            return (threshold, max, null);
        }

        var wanted = new HashSet<int>();
        foreach (var item in query.Classes.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var index = int.TryParse(item, out var number) && number >= 0 && number < classes.Count
                ? number
                : IndexOf(classes, item);
            if (index < 0)
            {
                throw BadQuery($"classes: '{item}' is neither a class name nor an index of this model ({classes.Count} classes; see GET /model).");
            }

            wanted.Add(index);
        }

        return (threshold, max, wanted);
    }

    private static int IndexOf(IReadOnlyList<string> classes, string name)
    {
        for (var i = 0; i < classes.Count; i++)
        {
            if (string.Equals(classes[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        }

        return -1;
    }

    private static ApiProblemException BadQuery(string detail) => new(StatusCodes.Status400BadRequest, "Invalid query", detail);

    private static DetectionResponse ToResponse(string modelName, DecodedImage image, TimeSpan decodeTime, JobOutcome outcome,
        (float Threshold, int Max, HashSet<int>? Classes) filter, IReadOnlyList<string> classes)
    {
        // Boxes in the pixels of the image sent, also when the decoder reduced it (Limits:MaxInferenceSide).
        var detections = image.ToSourcePixels(outcome.Detections)
            .Where(d => d.Score >= filter.Threshold && (filter.Classes is null || filter.Classes.Contains(d.ClassIndex)))
            .OrderByDescending(d => d.Score)
            .Take(filter.Max)
            .Select(d => new DetectionDto(d.ClassIndex, classes[d.ClassIndex], d.Score, [d.X1, d.Y1, d.X2, d.Y2]))
            .ToList();
        var t = outcome.Timings;
        var total = decodeTime + outcome.QueueWait + t.Preprocess + t.Forward + t.Decode + t.Nms;
        return new DetectionResponse(image.SourceWidth, image.SourceHeight, detections, new TimingsDto(
            decodeTime.TotalMilliseconds, outcome.QueueWait.TotalMilliseconds, t.Preprocess.TotalMilliseconds,
            t.Forward.TotalMilliseconds, t.Decode.TotalMilliseconds, t.Nms.TotalMilliseconds, outcome.BatchSize,
            total.TotalMilliseconds, outcome.Crops), modelName, outcome.WeightsSha256);
    }
}
