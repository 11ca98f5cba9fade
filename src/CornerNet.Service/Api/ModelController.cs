using CornerNet.Service.Configuration;
using CornerNet.Service.Modeling;
using CornerNet.Service.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Api;

/// <summary>The models being served, and their zero-downtime reloads. Reading needs the detect scope, reloading the
/// admin scope (when API keys are on).</summary>
[ApiController]
public sealed class ModelController(ModelRegistry models, IOptions<LimitsOptions> limits) : ControllerBase
{
    /// <summary>The default model (Detection:DefaultModel): architecture, classes, device, parameter count, weights
    /// file and its SHA-256, and the settings it runs with.</summary>
    /// <response code="200">The model.</response>
    /// <response code="503">The model is still loading.</response>
    [HttpGet("model")]
    [Authorize(Policy = ApiScopes.Detect)]
    [ProducesResponseType<ModelInfoResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public ActionResult<ModelInfoResponse> GetDefault() => Info(models.Default);

    /// <summary>Every model the service serves, with its state (loading, ready, failed) and the weights it serves.</summary>
    /// <response code="200">The models, in configuration order.</response>
    [HttpGet("models")]
    [Authorize(Policy = ApiScopes.Detect)]
    [ProducesResponseType<ModelListResponse>(StatusCodes.Status200OK)]
    public ActionResult<ModelListResponse> List() => new ModelListResponse(
        models.Default.Name, models.Units.Select(u => ModelInfoMapper.ToSummary(u, u == models.Default)).ToList());

    /// <summary>One model, as GET /model shows the default one.</summary>
    /// <param name="name">The model's name (GET /models), case-insensitive.</param>
    /// <response code="200">The model.</response>
    /// <response code="404">No model has that name.</response>
    /// <response code="503">The model is still loading.</response>
    [HttpGet("models/{name}")]
    [Authorize(Policy = ApiScopes.Detect)]
    [ProducesResponseType<ModelInfoResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public ActionResult<ModelInfoResponse> Get(string name) => Info(Named(name));

    /// <summary>Loads the model's weights file again and switches to it without a gap.</summary>
    /// <remarks>The new weights are loaded beside the served ones, warmed up, then swapped in: batches already running
    /// finish on the old weights, and no request fails. A file whose SHA-256 is the one served is left alone
    /// (<c>unchanged</c>). A file that cannot be served leaves the old weights serving. Needs the admin scope when API
    /// keys are enabled.</remarks>
    /// <param name="name">The model's name (GET /models).</param>
    /// <response code="200">Reloaded, or unchanged.</response>
    /// <response code="404">No model has that name.</response>
    /// <response code="409">Another reload of this model is running, or the new files change its classes or channel order.</response>
    /// <response code="422">The new weights cannot be served (unreadable, not a checkpoint, keys or shapes that do not fit the architecture, non-finite values).</response>
    /// <response code="503">The model is still loading.</response>
    [HttpPost("models/{name}/reload")]
    [Authorize(Policy = ApiScopes.Admin)]
    [ProducesResponseType<ReloadResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status422UnprocessableEntity, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public async Task<ActionResult<ReloadResponse>> Reload(string name)
    {
        var unit = Named(name);
        _ = DetectionCoordinator.Ready(unit);
        var result = await unit.ReloadAsync(waitForRunning: false);
        return result.Outcome switch
        {
            ReloadOutcome.Reloaded or ReloadOutcome.Unchanged => new ReloadResponse(result.Label, result.PreviousSha256!, Info(unit)),
            ReloadOutcome.Conflict => throw new ApiProblemException(StatusCodes.Status409Conflict, "Reload refused", result.Reason!),
            _ => throw new ApiProblemException(StatusCodes.Status422UnprocessableEntity, "Reload failed",
                $"{result.Reason} The model keeps serving the weights with SHA-256 {result.CurrentSha256}."),
        };
    }

    private ModelUnit Named(string name) => models.Find(name) ?? throw DetectionCoordinator.UnknownModel(name);

    private ModelInfoResponse Info(ModelUnit unit) =>
        ModelInfoMapper.ToResponse(unit, DetectionCoordinator.Ready(unit), unit == models.Default, limits.Value);
}
