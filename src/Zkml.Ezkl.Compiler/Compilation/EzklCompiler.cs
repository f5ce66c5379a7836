using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Zkml.Ezkl.Compilation.Circuit;
using Zkml.Ezkl.Compilation.Layout;
using Zkml.Ezkl.Compilation.Normalization;
using Zkml.Ezkl.Onnx;

namespace Zkml.Ezkl.Compilation;

/// <summary>
/// The ONNX → ezkl circuit compiler: what <c>ezkl gen-settings</c>, <c>calibrate-settings</c> and
/// <c>compile-circuit</c> do, in C#, producing exactly the settings.json and <c>.compiled</c> formats
/// ezkl engine 21.0.0 reads. Stateless and thread-safe.
/// </summary>
public sealed class EzklCompiler
{
    private readonly ILogger _logger;
    private readonly EzklCompilerOptions _options;

    /// <summary>Creates a compiler.</summary>
    /// <param name="options">Compiler options; defaults when null.</param>
    /// <param name="loggerFactory">Where to log; nothing is logged when null.</param>
    public EzklCompiler(EzklCompilerOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new EzklCompilerOptions();
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<EzklCompiler>();
    }

    /// <summary>The ONNX operators the compiler supports.</summary>
    public static IReadOnlyList<string> SupportedOperators => OnnxNormalizer.SupportedOperators;

    /// <summary>The logrows (k) a compiled circuit was built for: <see cref="CompiledCircuit.Logrows"/>.</summary>
    /// <param name="circuit">A compiled circuit, from this compiler or <c>ezkl compile-circuit</c>.</param>
    /// <returns>k.</returns>
    /// <exception cref="CompiledCircuitFormatException">The bytes are not ezkl 21's compiled-circuit layout.</exception>
    public static int ReadLogrows(CompiledCircuit circuit)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        return circuit.Logrows;
    }

    /// <summary>Like <see cref="ReadLogrows"/>, but returns false for bytes this decoder cannot read.</summary>
    /// <param name="circuit">A compiled circuit.</param>
    /// <param name="logrows">k when the result is true.</param>
    /// <returns>Whether k could be read.</returns>
    public static bool TryReadLogrows(CompiledCircuit circuit, out int logrows)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        return circuit.TryGetLogrows(out logrows);
    }

    /// <summary>
    /// ezkl's <c>gen-settings</c>: lays the model out at <paramref name="runArgs"/>' logrows and records
    /// rows, assignments, constants, range checks, lookups, instance shapes and scales.
    /// </summary>
    /// <param name="onnxModel">The ONNX model bytes.</param>
    /// <param name="runArgs">Scales, visibilities, logrows...; ezkl's defaults when null.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="OnnxModelException">The model is malformed.</exception>
    /// <exception cref="UnsupportedOperatorException">The model uses an unsupported operator.</exception>
    public CircuitSettings GenerateSettings(ReadOnlySpan<byte> onnxModel, RunArgs? runArgs = null)
    {
        var args = runArgs ?? new RunArgs();
        var stopwatch = Stopwatch.StartNew();
        var model = CircuitCompiler.BuildModel(onnxModel, args, out var typed);
        CompilerLog.Compiled(_logger, model.Nodes.Count, stopwatch.ElapsedMilliseconds);
        var settings = SettingsGenerator.Generate(model, typed, args, _options.Accounting);
        CompilerLog.SettingsGenerated(_logger, settings.RunArgs.Logrows, settings.NumRows, settings.TotalAssignments, settings.TotalConstSize);
        return settings;
    }

    /// <summary>
    /// Like <see cref="GenerateSettings"/>, then chooses the smallest logrows that holds the layout and its
    /// tables (ezkl's <c>calc_min_logrows</c>) and regenerates the counts at that size.
    /// </summary>
    /// <param name="onnxModel">The ONNX model bytes.</param>
    /// <param name="runArgs">Scales, visibilities...; the logrows given is only the starting point.</param>
    /// <param name="maxLogrows">An upper bound (for example the largest SRS at hand); tables then span several columns.</param>
    /// <returns>The settings.</returns>
    public CircuitSettings GenerateSettingsWithMinimalLogrows(ReadOnlySpan<byte> onnxModel, RunArgs? runArgs = null, int? maxLogrows = null)
    {
        var args = runArgs ?? new RunArgs();
        var model = CircuitCompiler.BuildModel(onnxModel, args, out var typed);
        var settings = SettingsGenerator.WithMinimalLogrows(model, typed, args, 0, (uint?)maxLogrows, _options.Accounting);
        CompilerLog.SettingsGenerated(_logger, settings.RunArgs.Logrows, settings.NumRows, settings.TotalAssignments, settings.TotalConstSize);
        return settings;
    }

    /// <summary>
    /// ezkl's <c>compile-circuit</c>: builds the circuit graph with the settings' run args and embeds the
    /// settings (check mode forced to UNSAFE, as ezkl does) and a placeholder witness.
    /// </summary>
    /// <param name="onnxModel">The ONNX model bytes.</param>
    /// <param name="settings">The settings from <see cref="GenerateSettings"/> or calibration.</param>
    /// <returns>The compiled circuit.</returns>
    public CompiledCircuit CompileCircuit(ReadOnlySpan<byte> onnxModel, CircuitSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var stopwatch = Stopwatch.StartNew();
        var circuit = CircuitCompiler.Compile(onnxModel, settings);
        var bytes = CompiledCircuitCodec.Encode(circuit);
        CompilerLog.Compiled(_logger, circuit.Model.Nodes.Count, stopwatch.ElapsedMilliseconds);
        return CompiledCircuit.FromBytes(bytes);
    }

    /// <summary>Reads an ONNX file and generates settings (see <see cref="GenerateSettings"/>).</summary>
    /// <param name="onnxPath">The ONNX file.</param>
    /// <param name="runArgs">Run arguments, or ezkl's defaults.</param>
    /// <param name="cancellationToken">Cancels the file read.</param>
    /// <returns>The settings.</returns>
    public async Task<CircuitSettings> GenerateSettingsAsync(string onnxPath, RunArgs? runArgs = null, CancellationToken cancellationToken = default)
    {
        var bytes = await ReadModelAsync(onnxPath, cancellationToken).ConfigureAwait(false);
        return GenerateSettings(bytes, runArgs);
    }

    /// <summary>Reads an ONNX file and compiles it (see <see cref="CompileCircuit"/>).</summary>
    /// <param name="onnxPath">The ONNX file.</param>
    /// <param name="settings">The settings.</param>
    /// <param name="cancellationToken">Cancels the file read.</param>
    /// <returns>The compiled circuit.</returns>
    public async Task<CompiledCircuit> CompileCircuitAsync(string onnxPath, CircuitSettings settings, CancellationToken cancellationToken = default)
    {
        var bytes = await ReadModelAsync(onnxPath, cancellationToken).ConfigureAwait(false);
        return CompileCircuit(bytes, settings);
    }

    /// <summary>The circuit's nodes with their ops, scales and shapes (what <c>ezkl table</c> prints), and what each
    /// costs in the layout at <paramref name="runArgs"/>' logrows: advice cells, rows, shuffles, dynamic lookups, new
    /// constants and the lookup tables and range checks it reads.</summary>
    /// <param name="onnxModel">The ONNX model bytes.</param>
    /// <param name="runArgs">Run arguments, or ezkl's defaults.</param>
    /// <returns>One row per circuit node, in index order.</returns>
    public IReadOnlyList<CircuitNodeDescription> DescribeModel(ReadOnlySpan<byte> onnxModel, RunArgs? runArgs = null)
    {
        var args = runArgs ?? new RunArgs();
        var model = CircuitCompiler.BuildModel(onnxModel, args, out var typed);
        DummyLayout.Run(model, args, (uint)args.Logrows, _options.Accounting, out var costs);
        return model.Nodes.Select(kv =>
        {
            var cost = costs[kv.Key];
            return new CircuitNodeDescription(
                (long)kv.Key,
                kv.Value.Op.ToString() ?? string.Empty,
                kv.Value.Inputs.Select(i => (long)i.Node).ToArray(),
                kv.Value.OutScale,
                kv.Value.OutDims.Select(d => (long)d).ToArray(),
                (long)kv.Value.NumUses,
                typed.Nodes[(int)kv.Key].Origin)
            {
                Assignments = cost.Assignments,
                Rows = cost.Rows,
                Shuffles = cost.Shuffles,
                DynamicLookups = cost.DynamicLookups,
                Constants = cost.Constants,
                Tables = cost.Tables,
            };
        }).ToList();
    }

    /// <summary>
    /// Compiles the model and runs the engine's setup. If the engine rejects the layout because the
    /// assignment count is too small (an under-estimate makes key generation fail), the count is raised
    /// by one column block and setup is retried, up to <paramref name="maxRetries"/> times.
    /// </summary>
    /// <param name="engine">The engine.</param>
    /// <param name="onnxModel">The ONNX model bytes.</param>
    /// <param name="settings">The settings; a bumped copy is returned when a retry was needed.</param>
    /// <param name="srs">The SRS, whose k must equal the settings' logrows.</param>
    /// <param name="maxRetries">How many extra blocks to try.</param>
    /// <param name="cancellationToken">Checked between attempts.</param>
    /// <returns>The settings, circuit and keys that worked.</returns>
    /// <exception cref="EzklEngineException">Setup failed for a reason more blocks do not cure.</exception>
    public async Task<CompiledModel> CompileAndSetupAsync(
        EzklEngine engine, ReadOnlyMemory<byte> onnxModel, CircuitSettings settings, Srs srs, int maxRetries = 4, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(srs);
        var current = settings;
        for (var attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var circuit = CompileCircuit(onnxModel.Span, current);
            try
            {
                var keys = await engine.SetupAsync(circuit, srs, cancellationToken: cancellationToken).ConfigureAwait(false);
                return new CompiledModel(current, circuit, keys, attempt);
            }
            catch (EzklEngineException ex) when (attempt < maxRetries && ex is EzklEngineTrapException)
            {
                var blocks = ColumnBlocks.AdviceBlocks(current.TotalAssignments, current.RunArgs.Logrows, current.RunArgs.NumInnerCols);
                CompilerLog.SetupRejectedAssignments(_logger, current.TotalAssignments, blocks, ex.EngineMessage);
                var bumped = current.Clone();
                bumped.TotalAssignments = ColumnBlocks.SmallestAssignmentsFor(blocks + 1, current.RunArgs.Logrows, current.RunArgs.NumInnerCols);
                current = bumped;
            }
        }
    }

    /// <summary>
    /// ezkl's <c>calibrate-settings</c>: searches input/param scales and rebase multipliers; for each candidate
    /// the engine generates witnesses on the calibration samples (measuring lookup inputs and range sizes and
    /// dropping candidates that overflow), the outputs are compared with ONNX Runtime's float outputs, and the
    /// smallest logrows is computed. The best candidate for the target is returned with recomputed counts.
    /// </summary>
    /// <param name="engine">The engine (witness generation).</param>
    /// <param name="onnxModel">The ONNX model bytes.</param>
    /// <param name="settings">Settings from <see cref="GenerateSettings"/> (visibilities, decomposition, variables are kept).</param>
    /// <param name="calibrationData">One or more input samples.</param>
    /// <param name="options">Search options.</param>
    /// <param name="progress">Receives candidates done.</param>
    /// <param name="cancellationToken">Checked between candidates.</param>
    /// <returns>The chosen settings and the candidates tried.</returns>
    /// <exception cref="CalibrationException">No candidate worked.</exception>
    public Task<CalibrationResult> CalibrateSettingsAsync(
        EzklEngine engine,
        ReadOnlyMemory<byte> onnxModel,
        CircuitSettings settings,
        IReadOnlyList<ModelInput> calibrationData,
        CalibrationOptions? options = null,
        IProgress<CalibrationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(calibrationData);
        var calibrator = new Calibrator(engine, onnxModel.ToArray(), settings.Clone(), calibrationData, options ?? new CalibrationOptions(), _options.Accounting, _logger);
        return calibrator.RunAsync(progress, cancellationToken);
    }

    private static async Task<byte[]> ReadModelAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OnnxModelException($"cannot read ONNX model '{path}': {ex.Message}", ex);
        }
    }
}

/// <summary>Options of <see cref="EzklCompiler"/>.</summary>
public sealed class EzklCompilerOptions
{
    /// <summary>How total_assignments is estimated (default <see cref="AccountingMode.Tight"/>).</summary>
    public AccountingMode Accounting { get; set; } = AccountingMode.Tight;
}

/// <summary>A circuit node as <see cref="EzklCompiler.DescribeModel"/> reports it.</summary>
/// <param name="Index">The node index (tract's evaluation order; gaps mark removed nodes).</param>
/// <param name="Operation">The ezkl op, e.g. <c>Einsum{equation: "mk,nk->mn"}</c> or <c>RebaseScale(...)</c>.</param>
/// <param name="Inputs">Indices of the input nodes.</param>
/// <param name="OutScale">The fixed-point scale (log2) of the output.</param>
/// <param name="OutDims">The output shape.</param>
/// <param name="Uses">How many nodes read the output (outputs count 1).</param>
/// <param name="Origin">The ONNX node or tensor it came from.</param>
public sealed record CircuitNodeDescription(long Index, string Operation, IReadOnlyList<long> Inputs, int OutScale, IReadOnlyList<long> OutDims, long Uses, string Origin)
{
    /// <summary>Advice cells the node's layout assigns (its share of <c>total_assignments</c>).</summary>
    public long Assignments { get; init; }

    /// <summary>Rows the node's layout advances (its share of <c>num_rows</c>).</summary>
    public long Rows { get; init; }

    /// <summary>Shuffle arguments (sorts) the node lays out.</summary>
    public long Shuffles { get; init; }

    /// <summary>Dynamic lookups the node lays out.</summary>
    public long DynamicLookups { get; init; }

    /// <summary>Distinct constants the node adds to the fixed columns.</summary>
    public long Constants { get; init; }

    /// <summary>The lookup tables and range checks the node reads (each table is paid once per circuit).</summary>
    public IReadOnlyList<string> Tables { get; init; } = [];
}

/// <summary>A compiled model with keys: what <see cref="EzklCompiler.CompileAndSetupAsync"/> returns.</summary>
/// <param name="Settings">The settings the keys were made with (bumped if a retry was needed).</param>
/// <param name="Circuit">The compiled circuit.</param>
/// <param name="Keys">The verifying and proving keys.</param>
/// <param name="Retries">How many extra column blocks were needed.</param>
public sealed record CompiledModel(CircuitSettings Settings, CompiledCircuit Circuit, CircuitKeys Keys, int Retries);

/// <summary>How ezkl turns <c>total_assignments</c> into advice column blocks (<c>VarTensor::new_advice</c>).</summary>
internal static class ColumnBlocks
{
    /// <summary>Blinding rows halo2 reserves in these circuits.</summary>
    public const int BlindingFactors = 5;

    /// <summary>Assignments one block holds: <c>(2^k − blinding − 1) · inner columns</c>.</summary>
    /// <param name="logrows">k.</param>
    /// <param name="numInnerCols">Inner columns per block.</param>
    /// <returns>The capacity.</returns>
    public static long Capacity(int logrows, int numInnerCols) => ((1L << logrows) - BlindingFactors - 1) * numInnerCols;

    /// <summary>The number of advice blocks ezkl configures for a total assignment count.</summary>
    /// <param name="totalAssignments">The settings' total_assignments.</param>
    /// <param name="logrows">k.</param>
    /// <param name="numInnerCols">Inner columns per block.</param>
    /// <returns>The block count.</returns>
    public static long AdviceBlocks(long totalAssignments, int logrows, int numInnerCols)
    {
        var cap = Capacity(logrows, numInnerCols);
        return ((totalAssignments + (totalAssignments / cap) + 1) / cap) + 1;
    }

    /// <summary>The smallest total_assignments that yields <paramref name="blocks"/> blocks.</summary>
    /// <param name="blocks">The wanted block count (at least 1).</param>
    /// <param name="logrows">k.</param>
    /// <param name="numInnerCols">Inner columns per block.</param>
    /// <returns>The assignment count.</returns>
    public static long SmallestAssignmentsFor(long blocks, int logrows, int numInnerCols)
    {
        var cap = Capacity(logrows, numInnerCols);
        long low = 0, high = blocks * cap;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (AdviceBlocks(mid, logrows, numInnerCols) >= blocks)
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }

        return low;
    }
}
