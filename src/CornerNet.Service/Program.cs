using CornerNet.Service.Batching;
using CornerNet.Service.Hosting;
using CornerNet.Service.Modeling;

var builder = WebApplication.CreateBuilder(args);
builder.AddDetectionService();

var app = builder.Build();
if (!app.ConfigurationIsValid())
{
    return 1;
}

app.UseDetectionService();
var models = app.Services.GetRequiredService<ModelRegistry>();
var drain = app.Services.GetRequiredService<ShutdownDrain>();
app.Run();

// A model that could not be loaded has already been logged in one line and has stopped the host (1); queued work that
// could not run within Batching:ShutdownDrainSeconds was answered 503 (3). See docs/operating.md.
return models.LoadFailure is not null ? 1 : drain.Abandoned > 0 ? ShutdownDrain.WorkAbandonedExitCode : 0;

/// <summary>The web host's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
