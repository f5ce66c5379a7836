using System.Diagnostics;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Zkml.TestSupport;

namespace Zkml.EndToEnd.Tests;

/// <summary>
/// The provider host (samples/Zkml.Provider) as a real process on 127.0.0.1 and a free port, against the live
/// anvil chain and radosgw. It can be killed with SIGKILL and started again on the same data directory and bucket.
/// </summary>
public sealed class ProviderProcess(string dataDirectory, IReadOnlyList<string> extraArguments) : IAsyncDisposable
{
    private Process? _process;
    private int _starts;

    /// <summary>The host's base URL.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>An HTTP client for the host.</summary>
    public HttpClient Http { get; private set; } = new();

    /// <summary>The host's process id.</summary>
    public int ProcessId => _process?.Id ?? 0;

    /// <summary>Starts the host and waits until its API answers (deployment and onboarding happen before).</summary>
    public async Task StartAsync()
    {
        var port = FreePort();
        Url = new Uri($"http://127.0.0.1:{port}");
        Http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromMinutes(2) };
        var log = Path.Combine(dataDirectory, $"provider-{++_starts}.log");
        Directory.CreateDirectory(dataDirectory);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(ProviderDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ProviderDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(Url.ToString().TrimEnd('/'));
        start.ArgumentList.Add("--Provider:DataDirectory=" + dataDirectory);
        start.ArgumentList.Add("--Provider:LifetimeSeconds=1800");
        foreach (var argument in extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        _process = process;
        var writer = new StreamWriter(log) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (writer) { writer.WriteLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (writer) { writer.WriteLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(4);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the provider host exited with {process.ExitCode}: {ReadLog(log)}");
            }

            try
            {
                using var response = await Http.GetAsync("/api/status");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("the provider host did not answer: " + ReadLog(log));
    }

    /// <summary>kill -9.</summary>
    public void Kill()
    {
        var process = _process ?? throw new InvalidOperationException("not started");
        process.Kill(); // SIGKILL on Unix
        process.WaitForExit();
    }

    /// <summary>GET a JSON document.</summary>
    public async Task<JsonElement> GetJsonAsync(string path) => await Http.GetFromJsonAsync<JsonElement>(path);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        Http.Dispose();
    }

    private static string ReadLog(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return new StreamReader(stream).ReadToEnd();
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The built host, in the configuration the tests were built in.</summary>
    private static string ProviderDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
            var path = Path.Combine(TestPaths.RepoRoot, "samples", "Zkml.Provider", "bin", configuration, "net10.0", "Zkml.Provider.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException("build samples/Zkml.Provider first", path);
        }
    }
}
