using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace CornerNet.Service.Tests.Deployment;

/// <summary>An OTLP/HTTP trace receiver on a loopback port: keeps each export request's protobuf body as sent.</summary>
public sealed class FakeOtlpCollector : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeOtlpCollector(WebApplication app, Uri address, ConcurrentQueue<byte[]> exports)
    {
        _app = app;
        Address = address;
        Exports = exports;
    }

    public Uri Address { get; }

    /// <summary>The body of every export request received.</summary>
    public ConcurrentQueue<byte[]> Exports { get; }

    public static async Task<FakeOtlpCollector> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var exports = new ConcurrentQueue<byte[]>();
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            exports.Enqueue(body.ToArray());
            return Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FakeOtlpCollector(app, new Uri(address), exports);
    }

    /// <summary>Whether some export holds all of <paramref name="parts"/> (e.g. a trace id's and a span id's bytes).</summary>
    public bool Received(params byte[][] parts) =>
        Exports.Any(export => parts.All(part => export.AsSpan().IndexOf(part) >= 0));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
