using CornerNet.Service.Configuration;
using CornerNet.Service.Modeling;
using CornerNet.Service.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Api;

/// <summary>The models being served.</summary>
[ApiController]
[Authorize(Policy = ApiScopes.Detect)]
public sealed class ModelController(ModelRegistry models, IOptions<LimitsOptions> limits) : ControllerBase
{
    /// <summary>The default model (Detection:DefaultModel): architecture, classes, device, parameter count, weights
    /// file and its SHA-256, and the settings it runs with.</summary>
    /// <response code="200">The model.</response>
    /// <response code="503">The model is still loading.</response>
    [HttpGet("model")]
    [ProducesResponseType<ModelInfoResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public ActionResult<ModelInfoResponse> GetDefault() => Info(models.Default);

    /// <summary>Every model the service serves, with its state (loading, ready, failed) and the weights it serves.</summary>
    /// <response code="200">The models, in configuration order.</response>
    [HttpGet("models")]
    [ProducesResponseType<ModelListResponse>(StatusCodes.Status200OK)]
    public ActionResult<ModelListResponse> List() => new ModelListResponse(
        models.Default.Name, models.Units.Select(u => ModelInfoMapper.ToSummary(u, u == models.Default)).ToList());

    /// <summary>One model, as GET /model shows the default one.</summary>
    /// <param name="name">The model's name (GET /models), case-insensitive.</param>
    /// <response code="200">The model.</response>
    /// <response code="404">No model has that name.</response>
    /// <response code="503">The model is still loading.</response>
    [HttpGet("models/{name}")]
    [ProducesResponseType<ModelInfoResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public ActionResult<ModelInfoResponse> Get(string name) =>
        Info(models.Find(name) ?? throw DetectionCoordinator.UnknownModel(name));

    private ModelInfoResponse Info(ModelUnit unit) =>
        ModelInfoMapper.ToResponse(unit, DetectionCoordinator.Ready(unit), unit == models.Default, limits.Value);
}
