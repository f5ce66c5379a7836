using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Zkml.Ezkl.Compilation.Circuit;
using Zkml.Ezkl.Compilation.Layout;
using Zkml.Ezkl.Compilation.Normalization;
using Zkml.Ezkl.Onnx;

namespace Zkml.Ezkl.Compilation;

/// <summary>What calibration optimizes (ezkl's <c>--target</c>).</summary>
public enum CalibrationTarget
{
    /// <summary>The smallest circuit (logrows); among those, the largest scales.</summary>
    Resources,

    /// <summary>The most accurate outputs (smallest error against the float model); among those, the smallest circuit.</summary>
    Accuracy,
}

/// <summary>Options of <see cref="EzklCompiler.CalibrateSettingsAsync"/>.</summary>
public sealed class CalibrationOptions
{
    /// <summary>What to optimize.</summary>
    public CalibrationTarget Target { get; set; } = CalibrationTarget.Resources;

    /// <summary>Candidate scales for inputs and parameters (input ≤ param is searched, as ezkl does).</summary>
    public IReadOnlyList<int> Scales { get; set; } = [7, 8, 9, 10];

    /// <summary>Candidate rebase multipliers.</summary>
    public IReadOnlyList<int> RebaseMultipliers { get; set; } = [1, 10];

    /// <summary>Lookup ranges are the observed range times this margin (ezkl uses 2).</summary>
    public double LookupMargin { get; set; } = 2;

    /// <summary>The largest logrows allowed (for example the largest SRS at hand); tables then span several columns.</summary>
    public int? MaxLogrows { get; set; }

    /// <summary>Tables may span at most this many columns at the chosen logrows (ezkl's limit is 12).</summary>
    public int MaxTableColumns { get; set; } = 12;
}

/// <summary>One candidate calibration tried.</summary>
/// <param name="InputScale">Input scale.</param>
/// <param name="ParamScale">Parameter scale.</param>
/// <param name="RebaseMultiplier">Rebase multiplier.</param>
/// <param name="Logrows">The logrows it needs, if it worked.</param>
/// <param name="MaxAbsoluteError">Largest |proved − float| over the calibration outputs, if it worked.</param>
/// <param name="Failure">Why it was dropped, if it was.</param>
public sealed record CalibrationCandidate(int InputScale, int ParamScale, int RebaseMultiplier, int? Logrows, double? MaxAbsoluteError, string? Failure);

/// <summary>The result of calibration: the chosen settings and every candidate tried.</summary>
/// <param name="Settings">The chosen settings, ready for compile-circuit.</param>
/// <param name="Chosen">The chosen candidate.</param>
/// <param name="Candidates">All candidates, in the order tried.</param>
public sealed record CalibrationResult(CircuitSettings Settings, CalibrationCandidate Chosen, IReadOnlyList<CalibrationCandidate> Candidates);

/// <summary>Progress of calibration: candidates done out of the total.</summary>
/// <param name="Done">Candidates evaluated.</param>
/// <param name="Total">Candidates to evaluate.</param>
public readonly record struct CalibrationProgress(int Done, int Total);

/// <summary>The calibration search: the engine's genWitness measures lookup inputs and ranges, ONNX
/// Runtime gives the float reference that ranks accuracy.</summary>
internal sealed class Calibrator
{
    private readonly EzklEngine _engine;
    private readonly byte[] _onnx;
    private readonly CircuitSettings _baseSettings;
    private readonly IReadOnlyList<ModelInput> _samples;
    private readonly CalibrationOptions _options;
    private readonly Microsoft.Extensions.Logging.ILogger _logger;
    private readonly AccountingMode _accounting;

    public Calibrator(EzklEngine engine, byte[] onnx, CircuitSettings baseSettings, IReadOnlyList<ModelInput> samples, CalibrationOptions options, AccountingMode accounting, Microsoft.Extensions.Logging.ILogger logger)
    {
        _accounting = accounting;
        _engine = engine;
        _onnx = onnx;
        _baseSettings = baseSettings;
        _samples = samples;
        _options = options;
        _logger = logger;
    }

    public async Task<CalibrationResult> RunAsync(IProgress<CalibrationProgress>? progress, CancellationToken cancellationToken)
    {
        if (_samples.Count == 0)
        {
            throw new CalibrationException("calibration needs at least one input sample");
        }

        var grid = (from p in _options.Scales
                    from i in _options.Scales
                    where i <= p
                    from m in _options.RebaseMultipliers
                    select (Input: i, Param: p, Multiplier: (uint)m)).ToList();
        var references = _samples.Select(FloatReference).ToList();
        var tried = new List<(CalibrationCandidate Candidate, CircuitSettings? Settings)>();
        foreach (var (input, param, multiplier) in grid)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await TryCandidateAsync(input, param, multiplier, references, cancellationToken).ConfigureAwait(false);
            tried.Add(result);
            CompilerLog.CalibrationCandidate(_logger, input, param, multiplier, result.Candidate.Failure ?? $"logrows {result.Candidate.Logrows}, error {result.Candidate.MaxAbsoluteError:G4}");
            progress?.Report(new CalibrationProgress(tried.Count, grid.Count));
        }

        var working = tried.Where(t => t.Settings is not null).ToList();
        if (working.Count == 0)
        {
            throw new CalibrationException("no candidate scale set produced a witness: " +
                string.Join("; ", tried.Select(t => $"({t.Candidate.InputScale},{t.Candidate.ParamScale},x{t.Candidate.RebaseMultiplier}) {t.Candidate.Failure}")));
        }

        var best = _options.Target == CalibrationTarget.Resources
            ? working.OrderBy(t => t.Candidate.Logrows).ThenByDescending(t => t.Candidate.ParamScale).ThenByDescending(t => t.Candidate.InputScale).ThenByDescending(t => t.Candidate.RebaseMultiplier).First()
            : working.OrderBy(t => Math.Round(t.Candidate.MaxAbsoluteError!.Value, 6)).ThenBy(t => t.Candidate.Logrows).First();
        CompilerLog.CalibrationChose(_logger, best.Candidate.InputScale, best.Candidate.ParamScale, (uint)best.Candidate.RebaseMultiplier, (uint)best.Candidate.Logrows!.Value, best.Candidate.MaxAbsoluteError!.Value);
        return new CalibrationResult(best.Settings!, best.Candidate, tried.Select(t => t.Candidate).ToList());
    }

    private async Task<(CalibrationCandidate Candidate, CircuitSettings? Settings)> TryCandidateAsync(
        int inputScale, int paramScale, uint multiplier, List<float[][]> references, CancellationToken cancellationToken)
    {
        CalibrationCandidate Failed(string why) => new(inputScale, paramScale, (int)multiplier, null, null, why);

        var args = _baseSettings.RunArgs.Clone();
        args.InputScale = inputScale;
        args.ParamScale = paramScale;
        args.ScaleRebaseMultiplier = (int)multiplier;
        args.LookupRange = new IntRange(long.MinValue, long.MaxValue);
        GraphModel model;
        TypedGraph typed;
        CircuitSettings probeSettings;
        try
        {
            model = CircuitCompiler.BuildModel(_onnx, args, out typed);
            probeSettings = SettingsGenerator.Generate(model, typed, args);
        }
        catch (EzklCompilationException ex)
        {
            return (Failed(ex.Message), null);
        }

        probeSettings.CheckMode = CheckMode.Unsafe;
        var circuit = CompiledCircuit.FromBytes(CompiledCircuitCodec.Encode(new GraphCircuit(
            model, probeSettings, EmbeddedWitness.Placeholder(typed.Inputs.Select(i => ShapeMath.Size(i.Shape))))));
        Int128 minLookup = 0, maxLookup = 0, maxRange = 0;
        double maxError = 0;
        for (var s = 0; s < _samples.Count; s++)
        {
            Witness witness;
            try
            {
                witness = await _engine.GenerateWitnessAsync(circuit, _samples[s], cancellationToken).ConfigureAwait(false);
            }
            catch (EzklEngineException ex)
            {
                return (Failed("witness generation failed: " + ex.EngineMessage), null);
            }

            using (var doc = JsonDocument.Parse(witness.Bytes))
            {
                var root = doc.RootElement;
                minLookup = Int128.Min(minLookup, ReadInt(root, "min_lookup_inputs"));
                maxLookup = Int128.Max(maxLookup, ReadInt(root, "max_lookup_inputs"));
                maxRange = Int128.Max(maxRange, ReadInt(root, "max_range_size"));
            }

            for (var o = 0; o < witness.Outputs.Count; o++)
            {
                var scale = probeSettings.ModelOutputScales[o];
                var proved = witness.Outputs[o];
                var reference = references[s][o];
                for (var j = 0; j < Math.Min(proved.Count, reference.Length); j++)
                {
                    var value = (double)proved[j].ToSignedInteger() / Math.Pow(2, scale);
                    maxError = Math.Max(maxError, Math.Abs(value - reference[j]));
                }
            }
        }

        var margin = _options.LookupMargin;
        var lookupRange = probeSettings.RequiredLookups.Count == 0
            ? new IntRange(0, 0)
            : new IntRange((long)Math.Floor(margin * (double)minLookup), (long)Math.Ceiling(margin * (double)maxLookup));
        var finalArgs = args.Clone();
        finalArgs.LookupRange = lookupRange;
        var settings = SettingsGenerator.WithMinimalLogrows(model, typed, finalArgs, maxRange, (uint?)_options.MaxLogrows, _accounting);
        var k = (int)settings.RunArgs.Logrows;
        var rowsPerColumn = (1L << k) - ColumnBlocks.BlindingFactors - 3;
        var span = Math.Max(lookupRange.Max - lookupRange.Min, settings.RequiredRangeChecks.Select(r => r.Max - r.Min).DefaultIfEmpty(0).Max());
        if ((span / rowsPerColumn) + 1 > _options.MaxTableColumns)
        {
            return (Failed($"its tables (span {span}) need more than {_options.MaxTableColumns} columns at logrows {k}"), null);
        }

        return (new CalibrationCandidate(inputScale, paramScale, (int)multiplier, k, maxError, null), settings);
    }

    private static Int128 ReadInt(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? Int128.Parse(v.GetRawText(), NumberStyles.Integer, CultureInfo.InvariantCulture)
            : 0;

    /// <summary>ONNX Runtime's float outputs for one sample, flattened per output.</summary>
    private float[][] FloatReference(ModelInput sample)
    {
        try
        {
            using var session = new InferenceSession(_onnx);
            var graph = OnnxGraph.Parse(_onnx);
            var batch = (long)(_baseSettings.RunArgs.Variable("batch_size") ?? 1);
            var inputs = new List<NamedOnnxValue>();
            for (var i = 0; i < graph.Inputs.Count; i++)
            {
                var shape = graph.Inputs[i].Dims.Select(d => (int)(d ?? batch)).ToArray();
                inputs.Add(graph.Inputs[i].Kind switch
                {
                    ElementKind.Integer => NamedOnnxValue.CreateFromTensor(graph.Inputs[i].Name, new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>(sample.InputData[i].Select(v => (long)Math.Round(v)).ToArray(), shape)),
                    ElementKind.Bool => NamedOnnxValue.CreateFromTensor(graph.Inputs[i].Name, new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<bool>(sample.InputData[i].Select(v => v != 0).ToArray(), shape)),
                    _ => NamedOnnxValue.CreateFromTensor(graph.Inputs[i].Name, new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(sample.InputData[i].Select(v => (float)v).ToArray(), shape)),
                });
            }

            using var results = session.Run(inputs);
            return results.Select(r => r.AsEnumerable<float>().ToArray()).ToArray();
        }
        catch (OnnxRuntimeException ex)
        {
            throw new CalibrationException("ONNX Runtime could not run the float reference: " + ex.Message, ex);
        }
        catch (ArgumentException ex)
        {
            throw new CalibrationException("a calibration sample does not fit the model's inputs: " + ex.Message, ex);
        }
    }
}
