using CornerNet.Service.Configuration;
using CornerNet.Service.Modeling;
using CornerNet.Service.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CornerNet.Service.Api;

/// <summary>The model being served.</summary>
[ApiController]
[Route("model")]
[Authorize(Policy = ApiScopes.Detect)]
public sealed class ModelController(
    ModelHost modelHost,
    IOptions<BatchingOptions> batching,
    IOptions<InferenceOptions> inference,
    IOptions<LimitsOptions> limits) : ControllerBase
{
    /// <summary>Architecture, classes, device, parameter count, weights file and its SHA-256, and the settings it runs with.</summary>
    /// <response code="200">The model.</response>
    /// <response code="503">The model is still loading.</response>
    [HttpGet]
    [ProducesResponseType<ModelInfoResponse>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public ActionResult<ModelInfoResponse> Get()
    {
        if (!modelHost.IsReady)
        {
            throw new ApiProblemException(StatusCodes.Status503ServiceUnavailable, "Model not ready",
                "The model is still loading; see /health/ready.", TimeSpan.FromSeconds(1));
        }

        return ModelInfoMapper.ToResponse(modelHost.Model, batching.Value, inference.Value, modelHost.Model.Detector.Options, limits.Value);
    }
}
