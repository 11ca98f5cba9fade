using CornerNet.Service.Hosting;
using CornerNet.Service.Modeling;

var builder = WebApplication.CreateBuilder(args);
builder.AddDetectionService();

var app = builder.Build();
app.UseDetectionService();
app.Run();

// A model that could not be loaded has already been logged in one line and has stopped the host.
return app.Services.GetRequiredService<ModelHost>().LoadFailure is null ? 0 : 1;

/// <summary>The web host's entry point (public for WebApplicationFactory).</summary>
public partial class Program;
