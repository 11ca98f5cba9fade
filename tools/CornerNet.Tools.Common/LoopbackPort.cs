using System.Net;
using System.Net.Sockets;

namespace CornerNet.Tools.Common;

/// <summary>Free TCP ports on the loopback interface, for child processes (service, nginx) that must be told one.</summary>
public static class LoopbackPort
{
    /// <summary>A port the kernel just handed out and released; another process could take it first, which is rare.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
