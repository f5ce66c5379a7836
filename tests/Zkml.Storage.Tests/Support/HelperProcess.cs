using System.Diagnostics;

namespace Zkml.Storage.Tests.Support;

/// <summary>Runs this test assembly as a separate process (see <see cref="Program"/>).</summary>
internal static class HelperProcess
{
    public static Process Start(params string[] args)
    {
        var dotnet = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var info = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start " + dotnet);
    }

    /// <summary>
    /// Reads the process's standard output up to the line <paramref name="expected"/>; fails the test (with the error
    /// output) when the process prints something else, exits first, or stays silent past <paramref name="timeout"/>.
    /// </summary>
    public static async Task WaitForLineAsync(Process process, string expected, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        string? line;
        try
        {
            line = await process.StandardOutput.ReadLineAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"helper process {process.Id} did not print '{expected}' within {timeout}");
        }

        if (line != expected)
        {
            KillIfRunning(process);
            Assert.Fail($"helper process {process.Id} printed '{line}' instead of '{expected}': {await process.StandardError.ReadToEndAsync()}");
        }
    }

    /// <summary>Kills the process tree if it is still running (a test that failed halfway leaves no helper behind).</summary>
    public static void KillIfRunning(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already disposed by WaitForSuccessAsync, or never started: nothing to kill.
        }
    }

    /// <summary>Waits for the process; returns its standard output, or fails the test with its error output.</summary>
    public static async Task<string> WaitForSuccessAsync(Process process, TimeSpan timeout)
    {
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"helper process {process.Id} did not finish within {timeout}");
            }

            Assert.True(process.ExitCode == 0, $"helper process exited {process.ExitCode}: {await stderr}{await stdout}");
            return await stdout;
        }
    }
}
