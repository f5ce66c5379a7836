using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Zkml.TestSupport;

namespace Zkml.Browser.Tests;

/// <summary>
/// The real provider host (samples/Zkml.Provider, as the solution build left it) started as its own process on a free
/// 127.0.0.1 port against the live anvil chain (ZKML_TEST_RPC_URL), with filesystem storage in a fresh folder. It
/// deploys the market, onboards the sample model and runs its proof worker, exactly as the demo does. The process is
/// stopped by its PID, and stops by itself after a lifetime limit if the test run dies.
/// </summary>
public sealed partial class ProviderHost : IAsyncDisposable
{
    // The host deploys the market and onboards the model (train, compile, SRS, keys) before it listens.
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(10);
    private const int LifetimeSeconds = 1800;

    private readonly Process _process;
    private readonly string _dataDirectory;
    private readonly Lock _logLock = new();
    private readonly List<string> _log = [];
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ProviderHost(Process process, string dataDirectory)
    {
        _process = process;
        _dataDirectory = dataDirectory;
    }

    /// <summary>The host's base address, e.g. http://127.0.0.1:40123/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>A client for the host's REST API.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The host's console output so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_logLock)
            {
                return string.Join('\n', _log.TakeLast(80));
            }
        }
    }

    /// <summary>Starts the host and waits until it listens (after deploying and onboarding).</summary>
    public static async Task<ProviderHost> StartAsync()
    {
        var assembly = HostAssemblyPath();
        var rpcUrl = TestServices.RpcUrl;
        var dataDirectory = Directory.CreateTempSubdirectory("zkml-browser-host-").FullName;
        // coreutils' timeout ends the host after its lifetime even if this test process dies without disposing it.
        var start = new ProcessStartInfo("timeout")
        {
            // The host reads its appsettings.json from the working directory (its content root).
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--signal=TERM", $"{LifetimeSeconds}s", "dotnet", assembly, "--urls", "http://127.0.0.1:0",
            $"--Provider:DataDirectory={dataDirectory}", $"--Provider:RpcUrl={rpcUrl}", "--Provider:Storage:Kind=filesystem",
            $"--Provider:LifetimeSeconds={LifetimeSeconds}",
        })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__Console__FormatterName"] = "simple";

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var host = new ProviderHost(process, dataDirectory);
        process.OutputDataReceived += (_, e) => host.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => host.OnOutput(e.Data);
        process.Exited += (_, _) => host._listening.TrySetException(
            new InvalidOperationException($"The provider host exited ({SafeExitCode(process)}) before listening:\n{host.Log}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            host.BaseAddress = await host._listening.Task.WaitAsync(s_startTimeout);
        }
        catch (TimeoutException)
        {
            await host.DisposeAsync();
            throw new TimeoutException($"The provider host did not listen within {s_startTimeout}:\n{host.Log}");
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        host.Http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        return host;
    }

    /// <summary>Waits until onboarding registered a model, and returns the first one as /api/models lists it.</summary>
    public async Task<JsonElement> WaitForModelAsync(TimeSpan timeout)
    {
        return await PollAsync(async () =>
        {
            var models = await Http.GetFromJsonAsync<JsonElement>("api/models");
            return models.GetArrayLength() > 0 ? models[0] : (JsonElement?)null;
        }, timeout, "a registered model");
    }

    /// <summary>Requests a proof through the REST API (the host's demo client pays) and returns the request id.</summary>
    public async Task<string> RequestProofAsync(string modelId, float[] input)
    {
        using var response = await Http.PostAsJsonAsync("api/requests", new { modelId, input = new[] { input } });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /api/requests: {(int)response.StatusCode} {body}\n{Log}");
        using var json = JsonDocument.Parse(body);
        return ReadId(json.RootElement.GetProperty("requestId"));
    }

    /// <summary>Waits until a request reaches a final status and returns its RequestView.</summary>
    public async Task<JsonElement> WaitForSettledAsync(string requestId, TimeSpan timeout)
    {
        return await PollAsync(async () =>
        {
            // 404 until the worker has seen the request's event on chain and recorded it.
            using var response = await Http.GetAsync($"api/requests/{requestId}");
            if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return null;
            }

            response.EnsureSuccessStatusCode();
            var view = await response.Content.ReadFromJsonAsync<JsonElement>();
            return view.GetProperty("status").GetString() is "Fulfilled" or "Refunded" or "Failed" ? view : (JsonElement?)null;
        }, timeout, $"request {requestId} to settle");
    }

    /// <summary>A request id as the API writes it (a JSON string or number), as text.</summary>
    public static string ReadId(JsonElement id) =>
        id.ValueKind == JsonValueKind.Number ? id.GetRawText() : id.GetString()!;

    private async Task<JsonElement> PollAsync(Func<Task<JsonElement?>> probe, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The provider host exited while waiting for {what}:\n{Log}");
            }

            if (await probe() is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {timeout} for {what}:\n{Log}");
            }

            await Task.Delay(500);
        }
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logLock)
        {
            _log.Add(line);
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value.TrimEnd('/') + "/"));
        }
    }

    private static string HostAssemblyPath()
    {
        // The host built with the same configuration as this test assembly (bin/<Configuration>/<tfm>/).
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testOutput.Name;
        var configuration = testOutput.Parent!.Name;
        var path = Path.Combine(TestPaths.RepoRoot, "samples", "Zkml.Provider", "bin", configuration, framework, "Zkml.Provider.dll");
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"{path} is missing: build the solution ({configuration}) first.");
    }

    private static string SafeExitCode(Process process)
    {
        try
        {
            return $"exit code {process.ExitCode}";
        }
        catch (InvalidOperationException)
        {
            return "exit code unknown";
        }
    }

    [GeneratedRegex(@"Now listening on:\s*(http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        catch (InvalidOperationException)
        {
            // Never started or already gone.
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
