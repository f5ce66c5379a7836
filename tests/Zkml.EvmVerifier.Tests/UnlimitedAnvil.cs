using System.Diagnostics;
using System.Net.Sockets;
using Zkml.TestSupport;

namespace Zkml.EvmVerifier.Tests;

/// <summary>
/// A second anvil node, started by the tests, with EIP-170's code-size limit lifted: the fixture's verifier (30
/// advice columns) is larger than 24,576 bytes, as ezkl's own verifiers for such circuits are. Stopped by its PID.
/// </summary>
internal sealed class UnlimitedAnvil : IDisposable
{
    private readonly Process _process;

    private UnlimitedAnvil(Process process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<UnlimitedAnvil> StartAsync()
    {
        var binary = Path.Combine(TestPaths.RepoRoot, "tools", "anvil", "node_modules", "@foundry-rs", "anvil-linux-amd64", "bin", "anvil");
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Next();
            var start = new ProcessStartInfo(binary)
            {
                ArgumentList = { "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent", "--disable-code-size-limit", "--gas-limit", "100000000" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            var process = Process.Start(start) ?? throw new InvalidOperationException("anvil did not start");
            for (var i = 0; i < 100 && !process.HasExited; i++)
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync("127.0.0.1", port);
                    return new UnlimitedAnvil(process, new Uri($"http://127.0.0.1:{port}"));
                }
                catch (SocketException)
                {
                    await Task.Delay(100);
                }
            }

            Stop(process);
            if (attempt == 4)
            {
                throw new InvalidOperationException("anvil did not listen on 127.0.0.1:" + port);
            }
        }
    }

    public void Dispose() => Stop(_process);

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit(5000);
        }

        process.Dispose();
    }
}
