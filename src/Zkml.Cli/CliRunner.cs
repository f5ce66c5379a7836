using System.CommandLine;
using Microsoft.Extensions.Logging;
using Zkml.Ezkl;

namespace Zkml.Cli;

/// <summary>
/// What every verb shares: the <c>--verbose</c> flag, exit codes (0 success, 1 a negative answer such as an
/// invalid proof, 2 an error), errors as one line on stderr (with the stack trace only under --verbose), logging,
/// and a progress indicator for long work when stderr is a terminal.
/// </summary>
internal static class CliRunner
{
    public const int Success = 0;
    public const int Negative = 1;
    public const int Failure = 2;

    /// <summary>Shows stack traces and logs at Debug level (every verb has it).</summary>
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Log details and show stack traces on errors",
        Recursive = true,
    };

    /// <summary>Runs a verb body with the shared error handling.</summary>
    public static async Task<int> RunAsync(ParseResult parse, Func<CliContext, Task<int>> body, CancellationToken cancellationToken)
    {
        var verbose = parse.GetValue(Verbose);
        using var loggerFactory = verbose
            ? LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Debug)
                .AddFilter("Microsoft", LogLevel.Warning))
            : LoggerFactory.Create(b => b.AddConsole().SetMinimumLevel(LogLevel.Warning).AddFilter(_ => false));
        var context = new CliContext(parse, loggerFactory, verbose, cancellationToken);
        try
        {
            return await body(context).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EzklException or Market.MarketException or IOException or UnauthorizedAccessException or ArgumentException
                                       or InvalidOperationException or OperationCanceledException)
        {
            var message = ex switch
            {
                FileNotFoundException notFound => $"file not found: {notFound.FileName ?? notFound.Message}",
                DirectoryNotFoundException => ex.Message,
                OperationCanceledException => "cancelled",
                _ => ex.Message,
            };
            await Console.Error.WriteLineAsync("zkml: error: " + OneLine(message)).ConfigureAwait(false);
            if (verbose)
            {
                await Console.Error.WriteLineAsync(ex.ToString()).ConfigureAwait(false);
            }

            return Failure;
        }
    }

    private static string OneLine(string message)
    {
        var line = message.ReplaceLineEndings(" ").Trim();
        return line.Length <= 2000 ? line : line[..2000] + "...";
    }
}

/// <summary>What a verb body gets: its parsed arguments, logging and a progress indicator.</summary>
internal sealed class CliContext(ParseResult parse, ILoggerFactory loggerFactory, bool verbose, CancellationToken cancellationToken)
{
    public ParseResult Parse { get; } = parse;

    public ILoggerFactory LoggerFactory { get; } = loggerFactory;

    public bool Verbose { get; } = verbose;

    public CancellationToken CancellationToken { get; } = cancellationToken;

    public T Get<T>(Option<T> option) => Parse.GetValue(option)!;

    /// <summary>A spinner with elapsed time on stderr while <paramref name="work"/> runs, only on a terminal.</summary>
    public async Task<T> WithProgressAsync<T>(string label, Func<IProgress<Ezkl.EzklProgress>, Task<T>> work)
    {
        if (Console.IsErrorRedirected || Verbose)
        {
            return await work(new Progress<Ezkl.EzklProgress>(_ => { })).ConfigureAwait(false);
        }

        var stage = label;
        var started = System.Diagnostics.Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var progress = new Progress<Ezkl.EzklProgress>(p => stage = $"{label}: {Describe(p.Stage)}");
        var spinner = Task.Run(async () =>
        {
            var frames = "|/-\\";
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                Console.Error.Write($"\r{frames[i % frames.Length]} {stage} {started.Elapsed.TotalSeconds:0.0}s   ");
                try
                {
                    await Task.Delay(100, stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
        try
        {
            return await work(progress).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await spinner.ConfigureAwait(false);
            Console.Error.Write("\r" + new string(' ', Math.Min(Console.WindowWidth > 0 ? Console.WindowWidth - 1 : 79, 79)) + "\r");
        }
    }

    private static string Describe(Ezkl.EzklStage stage) => stage switch
    {
        Ezkl.EzklStage.WaitingForInstance => "loading engine",
        Ezkl.EzklStage.GeneratingVerifyingKey => "verifying key",
        Ezkl.EzklStage.GeneratingProvingKey => "proving key",
        Ezkl.EzklStage.Proving => "proving",
        Ezkl.EzklStage.ExtractingConstraintSystem => "reading the constraint system",
        Ezkl.EzklStage.GeneratingVerifier => "generating the verifier",
        Ezkl.EzklStage.Completed => "done",
        var other => other.ToString(),
    };
}
