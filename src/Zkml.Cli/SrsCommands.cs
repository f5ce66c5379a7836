using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Zkml.Ezkl;

namespace Zkml.Cli;

/// <summary>
/// The SRS verbs: <c>gen-srs</c> (an UNSAFE development SRS) and <c>get-srs</c> (the public ceremony file,
/// sha256-checked and cached), and the SRS loading the engine verbs share (a larger SRS is downsized on the fly).
/// </summary>
internal static class SrsCommands
{
    public static void AddTo(RootCommand root)
    {
        root.Subcommands.Add(GenSrs());
        root.Subcommands.Add(GetSrs());
    }

    /// <summary>
    /// Loads <paramref name="path"/> as the SRS of a circuit with <paramref name="logrows"/>: as is when its k
    /// matches, cut down to that k when it is larger. Without a known logrows the file is loaded as is.
    /// </summary>
    public static async Task<Srs> LoadForCircuitAsync(FileInfo path, int? logrows, CancellationToken cancellationToken)
    {
        if (logrows is not { } k)
        {
            return await Srs.LoadAsync(path.FullName, cancellationToken).ConfigureAwait(false);
        }

        // Downsizing costs minutes for large k: keep results in the user's cache for the next verb.
        string cache = Path.Combine(PublicSrsOptions.DefaultCacheDirectory(), "downsized");
        return await KzgSrs.LoadForLogrowsAsync(path.FullName, k, cache, progress: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The k a verifying or proving key was made for (halo2 writes a version byte, then k as one byte).</summary>
    public static int? LogrowsOfKey(EzklArtifact key) => key.Length >= 2 ? key.Bytes.Span[1] : null;

    private static Command GenSrs()
    {
        var srsPath = new Option<FileInfo>("--srs-path") { Description = "The SRS file to write", Required = true };
        var logrows = new Option<int>("--logrows") { Description = $"k: the SRS holds 2^k points (the circuit's logrows), 1 to {KzgSrs.MaxFileLogrows}", Required = true };
        var command = new Command("gen-srs", "Generate an UNSAFE KZG SRS from a random tau, for development and tests only (use get-srs in production)")
        {
            srsPath,
            logrows,
        };
        command.SetAction((parse, ct) => CliRunner.RunAsync(parse, async cli =>
        {
            string path = cli.Get(srsPath).FullName;
            int k = cli.Get(logrows);
            if (k is < 1 or > KzgSrs.MaxFileLogrows)
            {
                throw new ArgumentException($"--logrows {k} is outside 1 to {KzgSrs.MaxFileLogrows}");
            }

            await Console.Error.WriteLineAsync("WARNING: gen-srs makes an UNSAFE SRS: its tau was in this process's memory, so proofs made with it can be forged.").ConfigureAwait(false);
            await Console.Error.WriteLineAsync("         Use it for development and tests only; use `zkml get-srs` (the public ceremony) in production.").ConfigureAwait(false);
            var watch = Stopwatch.StartNew();
            await KzgSrs.GenerateUnsafeFileAsync(path, k, ConsoleProgress.Create(cli), ct).ConfigureAwait(false);
            ConsoleProgress.Clear(cli);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote UNSAFE SRS k = {k} ({new FileInfo(path).Length} bytes) to {path} in {watch.Elapsed.TotalSeconds:F1} s"));
            return CliRunner.Success;
        }, ct));
        return command;
    }

    private static Command GetSrs()
    {
        var srsPath = new Option<FileInfo>("--srs-path") { Description = "Where to write the SRS", Required = true };
        var logrows = new Option<int>("--logrows") { Description = $"k, {PublicSrsClient.MinLogrows} to {PublicSrsClient.MaxLogrows}: which public file", Required = true };
        var url = new Option<string?>("--url") { Description = "Fetch from this URL or local path instead of the public default; the sha256 is checked all the same" };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "Cache folder (default: the user's cache folder, zkml/srs)" };
        var command = new Command("get-srs", "Get the public perpetual-powers-of-tau SRS for a k, checked against ezkl's pinned sha256 and cached")
        {
            srsPath,
            logrows,
            url,
            cacheDir,
        };
        command.SetAction((parse, ct) => CliRunner.RunAsync(parse, async cli =>
        {
            string path = cli.Get(srsPath).FullName;
            int k = cli.Get(logrows);
            if (k is < PublicSrsClient.MinLogrows or > PublicSrsClient.MaxLogrows)
            {
                throw new ArgumentException($"there is no public SRS for k = {k}; public files exist for k = {PublicSrsClient.MinLogrows} to {PublicSrsClient.MaxLogrows}");
            }

            var options = new PublicSrsOptions();
            if (cli.Parse.GetValue(cacheDir) is { Length: > 0 } dir)
            {
                options.CacheDirectory = dir;
            }

            using var client = new PublicSrsClient(options, cli.LoggerFactory.CreateLogger<PublicSrsClient>());
            string cached = await client.GetFileAsync(k, cli.Parse.GetValue(url), ConsoleProgress.Create(cli), ct).ConfigureAwait(false);
            ConsoleProgress.Clear(cli);
            if (!string.Equals(Path.GetFullPath(cached), path, StringComparison.Ordinal))
            {
                // Copy beside the target, then rename: a reader never sees a half-written file.
                string temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
                File.Copy(cached, temporary);
                File.Move(temporary, path, overwrite: true);
            }

            Console.WriteLine($"SRS k = {k} (sha256 {PublicSrsClient.KnownSha256(k)}) written to {path}");
            return CliRunner.Success;
        }, ct));
        return command;
    }

    /// <summary>A one-line percentage on stderr, only when stderr is a terminal (as the engine verbs do).</summary>
    private sealed class ConsoleProgress : IProgress<SrsProgress>
    {
        private readonly Lock _lock = new();
        private int _lastPercent = -1;
        private SrsStage _lastStage;

        public static IProgress<SrsProgress>? Create(CliContext cli) =>
            Console.IsErrorRedirected || cli.Verbose ? null : new ConsoleProgress();

        public static void Clear(CliContext cli)
        {
            if (!Console.IsErrorRedirected && !cli.Verbose)
            {
                Console.Error.Write("\r" + new string(' ', 40) + "\r");
            }
        }

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
