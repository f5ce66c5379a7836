using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Zkml.Ezkl;
using Zkml.Ezkl.Compilation;

namespace Zkml.Cli;

/// <summary>The compiler verbs, named like ezkl's: <c>gen-settings</c>, <c>calibrate-settings</c>, <c>compile-circuit</c>, <c>table</c>.</summary>
internal static class CompilerCommands
{
    public static void AddTo(Command root)
    {
        root.Subcommands.Add(GenSettings());
        root.Subcommands.Add(CalibrateSettings());
        root.Subcommands.Add(CompileCircuit());
        root.Subcommands.Add(Table());
    }

    private static Option<string> ModelOption() => new("--model", "-M") { Description = "The ONNX model", Required = true };

    /// <summary>The run-argument options gen-settings and table share, with ezkl's names and defaults.</summary>
    private sealed class RunArgOptions
    {
        public Option<int> InputScale { get; } = new("--input-scale") { Description = "log2 fixed-point scale of inputs", DefaultValueFactory = _ => 7 };

        public Option<int> ParamScale { get; } = new("--param-scale") { Description = "log2 fixed-point scale of parameters", DefaultValueFactory = _ => 7 };

        public Option<int> RebaseMultiplier { get; } = new("--scale-rebase-multiplier") { Description = "rebase products above max(scales) times this", DefaultValueFactory = _ => 1 };

        public Option<int> Logrows { get; } = new("--logrows") { Description = "log2 of the circuit rows (the SRS k)", DefaultValueFactory = _ => 17 };

        public Option<int> NumInnerCols { get; } = new("--num-inner-cols") { Description = "inner columns per advice block", DefaultValueFactory = _ => 2 };

        public Option<string> InputVisibility { get; } = new("--input-visibility") { Description = "private | public | fixed | hashed/public | hashed/private | polycommit", DefaultValueFactory = _ => "private" };

        public Option<string> OutputVisibility { get; } = new("--output-visibility") { Description = "private | public | hashed/public | hashed/private | polycommit", DefaultValueFactory = _ => "public" };

        public Option<string> ParamVisibility { get; } = new("--param-visibility") { Description = "private | public | fixed | hashed/public | hashed/private | polycommit", DefaultValueFactory = _ => "private" };

        public Option<long> DecompBase { get; } = new("--decomp-base") { Description = "base of the range-check decomposition", DefaultValueFactory = _ => 16384 };

        public Option<int> DecompLegs { get; } = new("--decomp-legs") { Description = "digits of the range-check decomposition", DefaultValueFactory = _ => 2 };

        public Option<string[]> Variables { get; } = new("--variables") { Description = "symbolic dimensions, e.g. batch_size->1", DefaultValueFactory = _ => ["batch_size->1"], AllowMultipleArgumentsPerToken = true };

        public IEnumerable<Option> All => [InputScale, ParamScale, RebaseMultiplier, Logrows, NumInnerCols, InputVisibility, OutputVisibility, ParamVisibility, DecompBase, DecompLegs, Variables];

        public RunArgs Read(ParseResult parse) => new()
        {
            InputScale = parse.GetValue(InputScale),
            ParamScale = parse.GetValue(ParamScale),
            ScaleRebaseMultiplier = parse.GetValue(RebaseMultiplier),
            Logrows = parse.GetValue(Logrows),
            NumInnerCols = parse.GetValue(NumInnerCols),
            InputVisibility = ParseVisibility(parse.GetValue(InputVisibility)!),
            OutputVisibility = ParseVisibility(parse.GetValue(OutputVisibility)!),
            ParamVisibility = ParseVisibility(parse.GetValue(ParamVisibility)!),
            DecompBase = parse.GetValue(DecompBase),
            DecompLegs = parse.GetValue(DecompLegs),
            Variables = parse.GetValue(Variables)!.Select(ParseVariable).ToList(),
        };
    }

    private static Command GenSettings()
    {
        var model = ModelOption();
        var output = new Option<string>("--settings-path", "-O") { Description = "Where to write settings.json", DefaultValueFactory = _ => "settings.json" };
        var args = new RunArgOptions();
        var command = new Command("gen-settings", "Lay the ONNX model out and write settings.json (rows, assignments, constants, range checks, lookups)") { model, output };
        foreach (var option in args.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => CliRunner.RunAsync(parse, async context =>
        {
            var compiler = new EzklCompiler(loggerFactory: context.LoggerFactory);
            var settings = await compiler.GenerateSettingsAsync(parse.GetValue(model)!, args.Read(parse), cancellationToken).ConfigureAwait(false);
            await settings.SaveAsync(parse.GetValue(output)!, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(Summary(settings) + " -> " + parse.GetValue(output));
            return CliRunner.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CalibrateSettings()
    {
        var model = ModelOption();
        var data = new Option<string>("--data", "-D") { Description = "Calibration input.json (input_data; several samples may be concatenated per input)", Required = true };
        var settingsPath = new Option<string>("--settings-path", "-O") { Description = "settings.json to read and overwrite", DefaultValueFactory = _ => "settings.json" };
        var target = new Option<string>("--target") { Description = "resources | accuracy", DefaultValueFactory = _ => "resources" };
        var scales = new Option<int[]>("--scales") { Description = "candidate scales", DefaultValueFactory = _ => [7, 8, 9, 10], AllowMultipleArgumentsPerToken = true };
        var multipliers = new Option<int[]>("--scale-rebase-multiplier") { Description = "candidate rebase multipliers", DefaultValueFactory = _ => [1, 10], AllowMultipleArgumentsPerToken = true };
        var maxLogrows = new Option<int?>("--max-logrows") { Description = "upper bound on logrows (e.g. the largest SRS at hand)" };
        var command = new Command("calibrate-settings", "Search scales with the engine's witness generation and ONNX Runtime's float outputs; rewrite settings.json")
        {
            model, data, settingsPath, target, scales, multipliers, maxLogrows,
        };
        command.SetAction((parse, cancellationToken) => CliRunner.RunAsync(parse, async context =>
        {
            var onnx = await File.ReadAllBytesAsync(parse.GetValue(model)!, cancellationToken).ConfigureAwait(false);
            var settings = await CircuitSettings.LoadAsync(parse.GetValue(settingsPath)!, cancellationToken).ConfigureAwait(false);
            var input = await ModelInput.LoadAsync(parse.GetValue(data)!, cancellationToken).ConfigureAwait(false);
            var compiler = new EzklCompiler(loggerFactory: context.LoggerFactory);
            var inputSizes = compiler.DescribeModel(onnx, settings.RunArgs)
                .Where(r => r.Operation.StartsWith("Input", StringComparison.Ordinal))
                .Select(r => (int)r.OutDims.Aggregate(1L, (p, d) => p * d)).ToArray();
            var options = new CalibrationOptions
            {
                Target = parse.GetValue(target)!.ToLowerInvariant() switch
                {
                    "resources" => CalibrationTarget.Resources,
                    "accuracy" => CalibrationTarget.Accuracy,
                    var other => throw new EzklCompilationException($"unknown --target '{other}' (resources or accuracy)"),
                },
                Scales = parse.GetValue(scales)!,
                RebaseMultipliers = parse.GetValue(multipliers)!,
                MaxLogrows = parse.GetValue(maxLogrows),
            };
            await using var engine = await EzklEngine.CreateAsync(loggerFactory: context.LoggerFactory, cancellationToken: cancellationToken).ConfigureAwait(false);
            var progress = new ConsoleProgress();
            var result = await compiler.CalibrateSettingsAsync(engine, onnx, settings, SplitSamples(input, inputSizes), options, progress, cancellationToken).ConfigureAwait(false);
            Console.Error.WriteLine();
            foreach (var c in result.Candidates)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  input {c.InputScale,2} param {c.ParamScale,2} x{c.RebaseMultiplier,-2}  {(c.Failure is null ? $"logrows {c.Logrows,2}  max error {c.MaxAbsoluteError:G4}" : "dropped: " + c.Failure)}"));
            }

            await result.Settings.SaveAsync(parse.GetValue(settingsPath)!, cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"chose input {result.Chosen.InputScale} param {result.Chosen.ParamScale} x{result.Chosen.RebaseMultiplier}: " + Summary(result.Settings) + " -> " + parse.GetValue(settingsPath));
            return CliRunner.Success;
        }, cancellationToken));
        return command;
    }

    private static Command CompileCircuit()
    {
        var model = ModelOption();
        var settingsPath = new Option<string>("--settings-path", "-S") { Description = "settings.json", DefaultValueFactory = _ => "settings.json" };
        var compiled = new Option<string>("--compiled-circuit") { Description = "Where to write the compiled circuit", DefaultValueFactory = _ => "network.compiled" };
        var command = new Command("compile-circuit", "Compile the ONNX model with settings.json into ezkl 21's .compiled circuit") { model, settingsPath, compiled };
        command.SetAction((parse, cancellationToken) => CliRunner.RunAsync(parse, async context =>
        {
            var watch = Stopwatch.StartNew();
            var settings = await CircuitSettings.LoadAsync(parse.GetValue(settingsPath)!, cancellationToken).ConfigureAwait(false);
            var circuit = await new EzklCompiler(loggerFactory: context.LoggerFactory).CompileCircuitAsync(parse.GetValue(model)!, settings, cancellationToken).ConfigureAwait(false);
            await circuit.SaveAsync(parse.GetValue(compiled)!, cancellationToken).ConfigureAwait(false);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"compiled {circuit.Length} bytes in {watch.Elapsed.TotalMilliseconds:F0} ms -> {parse.GetValue(compiled)}"));
            return CliRunner.Success;
        }, cancellationToken));
        return command;
    }

    private static Command Table()
    {
        var model = ModelOption();
        var settingsPath = new Option<string?>("--settings-path", "-S") { Description = "Take the run arguments from this settings.json (the other run-argument options are then ignored)" };
        var args = new RunArgOptions();
        var command = new Command("table", "Print the circuit nodes of the ONNX model with their ops, scales, shapes and what each costs (cells, rows, shuffles, dynamic lookups, tables)") { model, settingsPath };
        foreach (var option in args.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => CliRunner.RunAsync(parse, async context =>
        {
            var onnx = await File.ReadAllBytesAsync(parse.GetValue(model)!, cancellationToken).ConfigureAwait(false);
            var runArgs = parse.GetValue(settingsPath) is { } path
                ? (await CircuitSettings.LoadAsync(path, cancellationToken).ConfigureAwait(false)).RunArgs
                : args.Read(parse);
            var compiler = new EzklCompiler(loggerFactory: context.LoggerFactory);
            var rows = compiler.DescribeModel(onnx, runArgs);
            Console.WriteLine($"{"idx",4}  {"scale",5}  {"inputs",-10} {"out dims",-14} {"uses",4}  {"cells",7} {"rows",6} {"shuf",4} {"dyn",3}  {"origin",-16} op  [tables]");
            foreach (var r in rows)
            {
                var tables = r.Tables.Count == 0 ? string.Empty : "  [" + string.Join("; ", r.Tables) + "]";
                Console.WriteLine($"{r.Index,4}  {r.OutScale,5}  {string.Join(",", r.Inputs),-10} {"[" + string.Join(",", r.OutDims) + "]",-14} {r.Uses,4}  {r.Assignments,7} {r.Rows,6} {r.Shuffles,4} {r.DynamicLookups,3}  {Truncate(r.Origin, 16),-16} {r.Operation}{tables}");
            }

            var totals = compiler.GenerateSettings(onnx, runArgs);
            Console.WriteLine(
                $"total at logrows {totals.RunArgs.Logrows}: {totals.NumRows} rows, {totals.TotalAssignments} cells, {totals.TotalConstSize} constants, " +
                $"{totals.NumShuffles} shuffles ({totals.TotalShuffleColSize} cells), {totals.NumDynamicLookups} dynamic lookups ({totals.TotalDynamicColSize} cells), " +
                $"{totals.RequiredLookups.Count} lookup tables, {totals.RequiredRangeChecks.Count} range checks (the public-output checks are in the totals only)");
            return CliRunner.Success;
        }, cancellationToken));
        return command;
    }

    private static List<ModelInput> SplitSamples(ModelInput input, int[] inputSizes)
    {
        if (input.InputData.Count != inputSizes.Length)
        {
            throw new EzklCompilationException($"the data has {input.InputData.Count} inputs but the model has {inputSizes.Length}");
        }

        var counts = input.InputData.Select((d, i) => d.Count % inputSizes[i] == 0 && d.Count > 0 ? d.Count / inputSizes[i] : -1).Distinct().ToArray();
        if (counts.Length != 1 || counts[0] < 1)
        {
            throw new EzklCompilationException($"the data's inputs ({string.Join(", ", input.InputData.Select(d => d.Count))} values) are not whole multiples of the model's input sizes ({string.Join(", ", inputSizes)})");
        }

        return Enumerable.Range(0, counts[0])
            .Select(s => ModelInput.FromValues(input.InputData.Select((d, i) => d.Skip(s * inputSizes[i]).Take(inputSizes[i]))))
            .ToList();
    }

    private static Visibility ParseVisibility(string text) => text.Trim().ToLowerInvariant() switch
    {
        "private" => Visibility.Private,
        "public" => Visibility.Public,
        "fixed" => Visibility.Fixed,
        "hashed" or "hashed/public" => Visibility.Hashed(true),
        "hashed/private" => Visibility.Hashed(false),
        "polycommit" => Visibility.KzgCommit,
        _ => throw new EzklCompilationException($"unknown visibility '{text}' (private, public, fixed, hashed/public, hashed/private or polycommit)"),
    };

    private static CircuitVariable ParseVariable(string text)
    {
        var parts = text.Split("->");
        return parts.Length == 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? new CircuitVariable(parts[0].Trim(), value)
            : throw new EzklCompilationException($"--variables expects name->value, got '{text}'");
    }

    private static string Summary(CircuitSettings s) =>
        $"logrows {s.RunArgs.Logrows}, scales {s.RunArgs.InputScale}/{s.RunArgs.ParamScale} x{s.RunArgs.ScaleRebaseMultiplier}, {s.NumRows} rows, {s.TotalAssignments} assignments, {s.TotalConstSize} constants, " +
        $"range checks [{string.Join(" ", s.RequiredRangeChecks)}], lookups [{string.Join(" ", s.RequiredLookups.Select(l => l?.ToJsonString()))}]";

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post, and print after the results).</summary>
    private sealed class ConsoleProgress : IProgress<CalibrationProgress>
    {
        public void Report(CalibrationProgress value) => Console.Error.Write($"\rcandidates {value.Done}/{value.Total}   ");
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
