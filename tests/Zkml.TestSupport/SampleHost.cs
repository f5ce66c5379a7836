using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Zkml.TestSupport;

/// <summary>Settings of a <see cref="SampleHost"/>.</summary>
public sealed class SampleHostOptions
{
    /// <summary>A path that must answer 2xx after the host listens before it counts as started (null: listening is enough).</summary>
    public string? ReadyPath { get; init; }

    /// <summary>How long a start may take: the provider deploys and onboards (train, compile, SRS, keys) before it listens.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>coreutils' timeout ends the host after this long even if the test process dies without disposing it.</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Extra environment variables of the host process.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A sample host (samples/Zkml.Provider, samples/Zkml.Verifier), as the solution build left it, run as its own process.
/// It binds http://127.0.0.1:0 and the harness reads the port the kernel gave it from the "Now listening on" line, so
/// there is no window in which another process can take the port. <see cref="Kill"/> is kill -9;
/// <see cref="StartAsync"/> may be called again afterwards with the same arguments (same data, a new port).
/// </summary>
public sealed partial class SampleHost(string project, IEnumerable<string> arguments, SampleHostOptions? options = null) : IAsyncDisposable
{
    private const int LogLines = 400;

    private readonly string[] _arguments = [.. arguments];
    private readonly SampleHostOptions _options = options ?? new SampleHostOptions();
    private readonly Lock _logLock = new();
    private readonly Queue<string> _log = new();
    private Process? _process;

    /// <summary>The host's base address of the current run, e.g. http://127.0.0.1:40123/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>A client for the current run's base address.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>Whether the current run's process has ended.</summary>
    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>The host's latest console lines (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_logLock)
            {
                return string.Join('\n', _log);
            }
        }
    }

    /// <summary>The built host's assembly, in the configuration the calling test assembly was built in.</summary>
    public static string AssemblyPath(string project)
    {
        // The test assembly runs from bin/<Configuration>/<tfm>/; the host was built there too.
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var path = Path.Combine(TestPaths.RepoRoot, "samples", project, "bin", testOutput.Parent!.Name, testOutput.Name, project + ".dll");
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"{path} is missing: build the solution ({testOutput.Parent.Name}) first.");
    }

    /// <summary>Starts the host and waits until it listens (and <see cref="SampleHostOptions.ReadyPath"/> answers).</summary>
    public async Task StartAsync()
    {
        if (!HasExited)
        {
            throw new InvalidOperationException($"{project} is running already.");
        }

        _process?.Dispose();
        Http?.Dispose();
        var assembly = AssemblyPath(project);
        var start = new ProcessStartInfo("timeout")
        {
            // A host reads its appsettings.json from the working directory (its content root).
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--signal=TERM", $"{(int)_options.Lifetime.TotalSeconds}s", "dotnet", assembly, "--urls", "http://127.0.0.1:0", .. _arguments])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (name, value) in _options.Environment)
        {
            start.Environment[name] = value;
        }

        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => OnOutput(e.Data, listening);
        process.ErrorDataReceived += (_, e) => OnOutput(e.Data, listening);
        process.Exited += (_, _) => listening.TrySetException(
            new InvalidOperationException($"{project} exited ({ExitCode(process)}) before listening:\n{Log}"));
        _process = process;
        Append($"--- start {project}");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = new CancellationTokenSource(_options.StartTimeout);
        try
        {
            BaseAddress = await listening.Task.WaitAsync(timeout.Token);
            Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            if (_options.ReadyPath is { } readyPath)
            {
                await PollAsync(async () =>
                {
                    using var response = await Http.GetAsync(readyPath.TrimStart('/'), timeout.Token);
                    return response.IsSuccessStatusCode ? true : (bool?)null;
                }, _options.StartTimeout, $"{readyPath} to answer");
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Kill();
            throw new TimeoutException($"{project} did not start within {_options.StartTimeout}:\n{Log}");
        }
        catch
        {
            Kill();
            throw;
        }
    }

    /// <summary>kill -9 of the host (and the timeout wrapper), waiting until it is gone.</summary>
    public void Kill()
    {
        var process = _process ?? throw new InvalidOperationException($"{project} was not started.");
        try
        {
            process.Kill(entireProcessTree: true); // SIGKILL on Unix
            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        Append($"--- killed {project}");
    }

    /// <summary>GETs a JSON document from the current run.</summary>
    public async Task<JsonElement> GetJsonAsync(string path) => await Http.GetFromJsonAsync<JsonElement>(path.TrimStart('/'));

    /// <summary>
    /// Calls <paramref name="probe"/> every half second until it returns a value; fails with the host's log when the
    /// host exits or <paramref name="timeout"/> passes first.
    /// </summary>
    public async Task<T> PollAsync<T>(Func<Task<T?>> probe, TimeSpan timeout, string what)
        where T : struct
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (HasExited)
            {
                throw new InvalidOperationException($"{project} exited while waiting for {what}:\n{Log}");
            }

            try
            {
                if (await probe() is { } found)
                {
                    return found;
                }
            }
            catch (HttpRequestException)
            {
                // Not answering yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {timeout} for {what}:\n{Log}");
            }

            await Task.Delay(500);
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            Kill();
            _process.Dispose();
        }

        Http?.Dispose();
        return ValueTask.CompletedTask;
    }

    private void OnOutput(string? line, TaskCompletionSource<Uri> listening)
    {
        if (line is null)
        {
            return;
        }

        Append(line);
        if (ListeningLine().Match(line) is { Success: true } match)
        {
            listening.TrySetResult(new Uri(match.Groups[1].Value + "/"));
        }
    }

    private void Append(string line)
    {
        lock (_logLock)
        {
            _log.Enqueue(line);
            while (_log.Count > LogLines)
            {
                _log.Dequeue();
            }
        }
    }

    private static string ExitCode(Process process)
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
}
