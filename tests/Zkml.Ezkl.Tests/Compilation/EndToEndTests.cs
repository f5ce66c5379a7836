using Zkml.Ezkl.Compilation;
using Zkml.Ezkl.Tests.Engine;
using Zkml.TestSupport;

namespace Zkml.Ezkl.Tests.Compilation;

/// <summary>Models built in C#, compiled by Zkml, then set up, proved and verified by the real ezkl engine.</summary>
[Collection(EngineCollection.Name)]
public sealed class EndToEndTests(EngineFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly EzklCompiler Compiler = new();

    private static RunArgs SmallArgs(int logrows = 6) => new()
    {
        InputScale = 7,
        ParamScale = 7,
        ScaleRebaseMultiplier = 1,
        DecompBase = 128,
        DecompLegs = 2,
        Logrows = logrows,
        LookupRange = new IntRange(0, 0),
    };

    [Fact]
    public async Task A_two_layer_mlp_compiles_proves_and_verifies_with_outputs_matching_onnx_runtime()
    {
        var onnx = TestModels.Mlp(42, 3, 8, 4);
        var input = TestModels.Input(42, 3);

        var settings = Compiler.GenerateSettings(onnx, SmallArgs());
        var outputs = await ProveAndVerifyAsync(onnx, settings, input);

        AssertClose(TestModels.Reference(onnx, input, [1, 3]), outputs, 4.0 / 128);
    }

    [Fact]
    public async Task Public_inputs_and_fixed_parameters_prove_and_verify()
    {
        var onnx = TestModels.Mlp(21, 3, 5, 2);
        var input = TestModels.Input(21, 3);
        var args = SmallArgs();
        args.InputVisibility = Visibility.Public;
        args.ParamVisibility = Visibility.Fixed;

        var settings = Compiler.GenerateSettings(onnx, args);
        var outputs = await ProveAndVerifyAsync(onnx, settings, input);

        Assert.Equal([[1L, 3L], [1L, 2L]], settings.ModelInstanceShapes);
        AssertClose(TestModels.Reference(onnx, input, [1, 3]), outputs, 4.0 / 128);
    }

    [Theory]
    [InlineData("mlp", 6)]
    [InlineData("mlp", 8)]
    [InlineData("cnn", 8)]
    [InlineData("conv variants", 8)]
    [InlineData("standalone batchnorm", 8)]
    [InlineData("batch matmul", 7)]
    public async Task The_computed_total_assignments_passes_setup_and_one_column_block_less_is_rejected(string name, int logrows)
    {
        var onnx = name switch
        {
            "mlp" => TestModels.Mlp(7, 3, 8, 4),
            "cnn" => TestModels.SmallCnn(11),
            "conv variants" => TestModels.ConvVariants(16),
            "standalone batchnorm" => TestModels.StandaloneBatchNorm(15),
            _ => TestModels.BatchMatMul(13),
        };
        var srs = await SrsAsync(logrows);
        var settings = Compiler.GenerateSettings(onnx, SmallArgs(logrows));
        var blocks = ColumnBlocks.AdviceBlocks(settings.TotalAssignments, logrows, 2);
        Assert.True(blocks >= 2, "the test needs a layout of several blocks");

        var vk = await fixture.Engine.GenerateVerifyingKeyAsync(Compiler.CompileCircuit(onnx, settings), srs);
        Assert.NotEmpty(vk.ToArray());

        var fewer = settings.Clone();
        fewer.TotalAssignments = ColumnBlocks.SmallestAssignmentsFor(blocks, logrows, 2) - 1;
        Assert.Equal(blocks - 1, ColumnBlocks.AdviceBlocks(fewer.TotalAssignments, logrows, 2));
        await Assert.ThrowsAnyAsync<EzklEngineException>(async () =>
            await fixture.Engine.GenerateVerifyingKeyAsync(Compiler.CompileCircuit(onnx, fewer), srs));
        output.WriteLine($"{name} at k = {logrows}: {settings.TotalAssignments} assignments, {blocks} blocks; {blocks - 1} rejected");
    }

    [Fact]
    public async Task An_under_estimated_assignment_count_is_bumped_until_setup_succeeds()
    {
        var onnx = TestModels.Mlp(7, 3, 8, 4);
        var settings = Compiler.GenerateSettings(onnx, SmallArgs());
        var starved = settings.Clone();
        var blocks = ColumnBlocks.AdviceBlocks(settings.TotalAssignments, 6, 2);
        starved.TotalAssignments = ColumnBlocks.SmallestAssignmentsFor(blocks - 2, 6, 2);

        var compiled = await Compiler.CompileAndSetupAsync(fixture.Engine, onnx, starved, fixture.Srs);

        Assert.True(compiled.Retries >= 1);
        Assert.True(compiled.Settings.TotalAssignments > starved.TotalAssignments);
        Assert.NotEmpty(compiled.Keys.VerifyingKey.ToArray());
    }

    [Theory]
    [InlineData("sigmoid head")]
    [InlineData("mlp 4 layers")]
    [InlineData("cnn")]
    [InlineData("cnn + batchnorm")]
    [InlineData("batch matmul")]
    [InlineData("normalization zoo")]
    [InlineData("standalone batchnorm")]
    [InlineData("conv variants")]
    public async Task A_calibrated_model_proves_and_verifies_with_outputs_matching_onnx_runtime(string name)
    {
        var (onnx, shape) = name switch
        {
            "sigmoid head" => (TestModels.SigmoidHead(3), new long[] { 1, 4 }),
            "mlp 4 layers" => (TestModels.Mlp(5, 4, 6, 6, 3), new long[] { 1, 4 }),
            "cnn" => (TestModels.SmallCnn(11), new long[] { 1, 1, 6, 6 }),
            "cnn + batchnorm" => (TestModels.SmallCnn(12, batchNorm: true), new long[] { 1, 1, 6, 6 }),
            "normalization zoo" => (TestModels.NormalizationZoo(14), new long[] { 1, 2, 3 }),
            "standalone batchnorm" => (TestModels.StandaloneBatchNorm(15), new long[] { 1, 2, 4, 4 }),
            "conv variants" => (TestModels.ConvVariants(16), new long[] { 1, 2, 6, 6 }),
            _ => (TestModels.BatchMatMul(13), new long[] { 1, 2, 3 }),
        };
        var length = (int)shape.Aggregate(1L, (p, d) => p * d);
        var samples = Enumerable.Range(0, 2).Select(i => TestModels.Input(100 + i, length)).ToList();

        var generated = Compiler.GenerateSettings(onnx, SmallArgs(logrows: 10));
        var calibration = await Compiler.CalibrateSettingsAsync(
            fixture.Engine,
            onnx,
            generated,
            samples.Select(s => ModelInput.FromValues([s.Select(v => (double)v)])).ToList(),
            new CalibrationOptions { Scales = [6, 7], RebaseMultipliers = [1], MaxLogrows = 12 });
        var outputs = await ProveAndVerifyAsync(onnx, calibration.Settings, samples[0]);

        var tolerance = 4 * Math.Pow(2, -calibration.Chosen.InputScale);
        var reference = TestModels.Reference(onnx, samples[0], shape);
        output.WriteLine($"{name}: chose {calibration.Chosen}; float [{string.Join(", ", reference)}] proved [{string.Join(", ", outputs)}]");
        AssertClose(TestModels.Reference(onnx, samples[0], shape), outputs, tolerance);
    }

    private static readonly Dictionary<int, Srs> s_srs = [];

    private async Task<Srs> SrsAsync(int logrows)
    {
        if (logrows == 6)
        {
            return fixture.Srs;
        }

        lock (s_srs)
        {
            if (s_srs.TryGetValue(logrows, out var cached))
            {
                return cached;
            }
        }

        var srs = await KzgSrs.GenerateUnsafeAsync(logrows);
        lock (s_srs)
        {
            s_srs[logrows] = srs;
        }

        return srs;
    }

    internal async Task<double[]> ProveAndVerifyAsync(byte[] onnx, CircuitSettings settings, float[] input)
    {
        var engine = fixture.Engine;
        var srs = await SrsAsync(settings.RunArgs.Logrows);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Compiler.CompileCircuit(onnx, settings);
        var compileMs = watch.Elapsed.TotalMilliseconds;
        var compiled = await Compiler.CompileAndSetupAsync(engine, onnx, settings, srs);
        output.WriteLine($"logrows {settings.RunArgs.Logrows}, total_assignments {settings.TotalAssignments}, setup retries {compiled.Retries}");
        var witness = await engine.GenerateWitnessAsync(compiled.Circuit, ModelInput.FromValues([input.Select(v => (double)v)]));
        watch.Restart();
        var proof = await engine.ProveAsync(witness, compiled.Keys.ProvingKey, compiled.Circuit, srs);
        output.WriteLine($"compile {compileMs:F1} ms, prove {watch.Elapsed.TotalMilliseconds:F0} ms (measurements, not assertions)");
        var result = await engine.VerifyAsync(proof, compiled.Keys.VerifyingKey, compiled.Settings, srs);
        Assert.True(result.IsValid, result.Reason);
        var scale = compiled.Settings.ModelOutputScales[0];
        return witness.Outputs[0].Select(f => (double)f.ToSignedInteger() / Math.Pow(2, scale)).ToArray();
    }

    internal static void AssertClose(float[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"output {i}: float {expected[i]}, proved {actual[i]} (tolerance {tolerance})");
        }
    }
}
