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
var modelHost = app.Services.GetRequiredService<ModelHost>();
app.Run();

// A model that could not be loaded has already been logged in one line and has stopped the host.
return modelHost.LoadFailure is null ? 0 : 1;

/// <summary>The web host's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
