using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Zkml.Ezkl;

namespace Zkml.Cli;

/// <summary>The SRS verbs: <c>gen-srs</c> (unsafe development SRS) and <c>get-srs</c> (public ceremony file, sha256-checked).</summary>
internal static class SrsCommands
{
    public static void AddTo(Command root)
    {
        root.Subcommands.Add(GenSrs());
        root.Subcommands.Add(GetSrs());
    }

    private static Command GenSrs()
    {
        var srsPath = new Option<string>("--srs-path") { Description = "The SRS file to write", Required = true };
        var logrows = new Option<int>("--logrows") { Description = "k: the SRS holds 2^k points (the circuit's logrows)", Required = true };
        var command = new Command("gen-srs", "Generate an UNSAFE KZG SRS from a random tau, for development and tests only (use get-srs in production)")
        {
            srsPath,
            logrows,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string path = parse.GetValue(srsPath)!;
            int k = parse.GetValue(logrows);
            Console.Error.WriteLine("WARNING: gen-srs makes an UNSAFE SRS: its tau was in this process's memory, so proofs made with it can be forged.");
            Console.Error.WriteLine("         Use it for development and tests only; use `zkml get-srs` (the public ceremony) in production.");
            var watch = Stopwatch.StartNew();
            return await RunAsync(async () =>
            {
                await KzgSrs.GenerateUnsafeFileAsync(path, k, new ConsoleProgress(), cancellationToken).ConfigureAwait(false);
                Console.Error.WriteLine();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote UNSAFE SRS k = {k} ({new FileInfo(path).Length} bytes) to {path} in {watch.Elapsed.TotalSeconds:F1} s"));
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command GetSrs()
    {
        var srsPath = new Option<string>("--srs-path") { Description = "Where to write the SRS", Required = true };
        var logrows = new Option<int>("--logrows") { Description = "k, 1 to 26: which public file", Required = true };
        var url = new Option<string?>("--url") { Description = "Fetch from this URL or local path instead of the public default; the sha256 is checked all the same" };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "Cache folder (default: the user's cache folder, zkml/srs)" };
        var command = new Command("get-srs", "Get the public perpetual-powers-of-tau SRS for a k, checked against ezkl's pinned sha256 and cached")
        {
            srsPath,
            logrows,
            url,
            cacheDir,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string path = parse.GetValue(srsPath)!;
            int k = parse.GetValue(logrows);
            var options = new PublicSrsOptions();
            if (parse.GetValue(cacheDir) is { Length: > 0 } dir)
            {
                options.CacheDirectory = dir;
            }

            return await RunAsync(async () =>
            {
                if (k is < PublicSrsClient.MinLogrows or > PublicSrsClient.MaxLogrows)
                {
                    throw new EzklException($"there is no public SRS for k = {k}; public files exist for k = {PublicSrsClient.MinLogrows} to {PublicSrsClient.MaxLogrows}");
                }

                using var client = new PublicSrsClient(options);
                string cached = await client.GetFileAsync(k, parse.GetValue(url), new ConsoleProgress(), cancellationToken).ConfigureAwait(false);
                if (!string.Equals(Path.GetFullPath(cached), Path.GetFullPath(path), StringComparison.Ordinal))
                {
                    // Copy beside the target, then rename: a reader never sees a half-written file.
                    string full = Path.GetFullPath(path);
                    string temporary = full + "." + Guid.NewGuid().ToString("N") + ".tmp";
                    File.Copy(cached, temporary);
                    File.Move(temporary, full, overwrite: true);
                }

                Console.Error.WriteLine();
                Console.WriteLine($"SRS k = {k} (sha256 {PublicSrsClient.KnownSha256(k)}) written to {path}");
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<int> RunAsync(Func<Task> action)
    {
        try
        {
            await action().ConfigureAwait(false);
            return 0;
        }
        catch (EzklException e)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine("error: " + e.Message);
            return 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine();
            Console.Error.WriteLine("cancelled");
            return 130;
        }
    }

    /// <summary>A one-line progress display on stderr.</summary>
    private sealed class ConsoleProgress : IProgress<SrsProgress>
    {
        private readonly Lock _lock = new();
        private int _lastPercent = -1;
        private SrsStage _lastStage;

        public void Report(SrsProgress value)
        {
            int percent = value.Total > 0 ? (int)(100 * value.Completed / value.Total) : -1;
            lock (_lock)
            {
                if (percent == _lastPercent && value.Stage == _lastStage)
                {
                    return;
                }

                _lastPercent = percent;
                _lastStage = value.Stage;
                string amount = percent >= 0 ? $"{percent,3}%" : $"{value.Completed} bytes";
                Console.Error.Write($"\r{value.Stage,-14} {amount}   ");
            }
        }
    }
}
