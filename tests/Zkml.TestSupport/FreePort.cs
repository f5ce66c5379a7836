using System.Net;
using System.Net.Sockets;

namespace Zkml.TestSupport;

/// <summary>Free TCP ports on 127.0.0.1, chosen by the kernel (the C# twin of scripts/lib/free-port.sh).</summary>
public static class FreePort
{
    /// <summary>
    /// A port on 127.0.0.1 that had no listener a moment ago: a listener on port 0, closed at once. Another process
    /// may take it before the caller binds it, so a server started on it should be retried on a new port when it
    /// fails to bind; a test that wants a port nobody answers on can use it as is.
    /// </summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
