namespace CornerNet.Service.Tests;

/// <summary>A class fixture: one service host with the fixture model, ready before the first test of the class.</summary>
public sealed class ReadyServiceHost : IAsyncLifetime
{
    public ServiceFactory Factory { get; } = new();

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync() => Client = await Factory.CreateReadyClientAsync();

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}
