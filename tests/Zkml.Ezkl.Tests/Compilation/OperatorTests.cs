using Zkml.Ezkl.Compilation;
using Zkml.Ezkl.Onnx;
using Zkml.Ezkl.Tests.Engine;

namespace Zkml.Ezkl.Tests.Compilation;

/// <summary>Operator families: models built in C#, calibrated, compiled, set up, proved and verified by the real
/// engine, with the proved outputs compared to ONNX Runtime's; plus the tight accounting and the refusals.</summary>
[Collection(EngineCollection.Name)]
public sealed class OperatorTests(EngineFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly EzklCompiler Compiler = new();

    [Fact]
    public async Task Shape_ops_folded_shape_arithmetic_and_sum_reductions_prove_and_verify_matching_onnx_runtime()
    {
        var onnx = OperatorModels.ShapesAndReductions(3);

        var (outputs, settings) = await CalibrateProveAndVerifyAsync(onnx, [1, 6]);

        var ops = Compiler.DescribeModel(onnx, settings.RunArgs).Select(n => n.Operation).ToList();
        foreach (var op in new[] { "Concat", "Slice", "Pad", "MultiBroadcastTo", "Sum", "Identity", "Mult", "Einsum" })
        {
            Assert.Contains(ops, o => o.Contains(op, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(ops, o => o.Contains("Range", StringComparison.Ordinal) || o.Contains("Shape", StringComparison.Ordinal));
        AssertClose(TestModels.Reference(onnx, TestModels.Input(200, 6), [1, 6]), outputs, 6 * Math.Pow(2, -settings.RunArgs.InputScale));
    }

    [Fact]
    public async Task Element_wise_lookups_prove_and_verify_matching_onnx_runtime()
    {
        var onnx = OperatorModels.Lookups();

        // Scale 6 keeps the 16 tables at k = 10 (their cost is tables x 2^k).
        var (outputs, settings) = await CalibrateProveAndVerifyAsync(onnx, [1, 4], scale: 6);

        var lookups = settings.RequiredLookups.Select(l => l!.ToJsonString()).ToList();
        foreach (var name in new[] { "Exp", "Erf", "Ln", "Sin", "Cos", "Tan", "ATan", "Sinh", "Cosh", "ASinh", "HardSwish", "ASin", "ACos", "ATanh", "Tanh", "Sigmoid" })
        {
            Assert.Contains(lookups, l => l.StartsWith($"{{\"{name}\"", StringComparison.Ordinal));
        }

        // A lookup reads its input at the input scale; one quantum there moves the output by up to f' (Exp, Sinh,
        // Cosh near 1: about 3), plus the output's own rounding.
        AssertClose(TestModels.Reference(onnx, TestModels.Input(200, 4), [1, 4]), outputs, 4 * Math.Pow(2, -settings.RunArgs.InputScale));
    }

    [Fact]
    public async Task Comparisons_where_boolean_logic_and_max_min_prove_and_verify_matching_onnx_runtime()
    {
        var onnx = OperatorModels.Decompositions();

        var (outputs, settings) = await CalibrateProveAndVerifyAsync(onnx, [1, 4]);

        var ops = string.Join(" ", Compiler.DescribeModel(onnx, settings.RunArgs).Select(n => n.Operation));
        foreach (var op in new[] { "Abs", "Neg", "Sign", "Max", "Min", "Less", "Greater", "GreaterEqual", "LessEqual", "Equals", "Iff", "Not", "And", "Or", "Xor", "LeakyReLU" })
        {
            Assert.Contains(op, ops, StringComparison.Ordinal);
        }

        Assert.Contains(new IntRange(-1, 1), settings.RequiredRangeChecks);
        Assert.Contains(new IntRange(0, 1), settings.RequiredRangeChecks);
        AssertClose(TestModels.Reference(onnx, TestModels.Input(200, 4), [1, 4]), outputs, 4 * Math.Pow(2, -settings.RunArgs.InputScale));
    }

    [Fact]
    public async Task Max_pooling_and_max_min_reductions_prove_and_verify_with_the_shuffle_argument_accounted()
    {
        var onnx = OperatorModels.Pooling(5);

        var (outputs, settings) = await CalibrateProveAndVerifyAsync(onnx, [1, 1, 6, 6]);

        // 8 pooling windows of 4, 2 global maxima over 16 cells, one max and one min over 3: each a sort, each sort a shuffle.
        Assert.Equal(12, settings.NumShuffles);
        Assert.Equal(16, settings.MaxDynamicInputLen);
        Assert.Equal((8 * 4) + (2 * 16) + 3 + 3, settings.TotalShuffleColSize);
        AssertClose(TestModels.Reference(onnx, TestModels.Input(200, 36), [1, 1, 6, 6]), outputs, 8 * Math.Pow(2, -settings.RunArgs.InputScale));
    }

    [Fact]
    public async Task A_tree_ensemble_with_argmax_proves_and_verifies_with_its_dynamic_lookups_accounted()
    {
        var onnx = OperatorModels.TreeEnsemble();

        var (outputs, settings) = await CalibrateProveAndVerifyAsync(onnx, [1, 4]);

        // One argmax and one argmin: each a dynamic lookup over the 3 scores and a sort (shuffle) of them; TopK one more sort.
        Assert.Equal(2, settings.NumDynamicLookups);
        Assert.Equal(6, settings.TotalDynamicColSize);
        Assert.Equal(3, settings.NumShuffles);
        var reference = TestModels.Reference(onnx, TestModels.Input(200, 4), [1, 4]);
        Assert.Equal(reference[0], outputs[0]);
        Assert.Equal(reference[1], outputs[1]);
        AssertClose(reference, outputs, 4 * Math.Pow(2, -settings.RunArgs.InputScale));
    }

    [Fact]
    public async Task Sqrt_reciprocal_division_by_a_computed_value_pow_and_softmax_prove_and_verify_matching_onnx_runtime()
    {
        var onnx = OperatorModels.Divisions();

        var (outputs, settings) = await CalibrateProveAndVerifyAsync(onnx, [1, 4]);

        var ops = string.Join(" ", Compiler.DescribeModel(onnx, settings.RunArgs).Select(n => n.Operation));
        foreach (var op in new[] { "Sqrt", "Recip", "Softmax", "Pow" })
        {
            Assert.Contains(op, ops, StringComparison.Ordinal);
        }

        Assert.Equal(1, settings.NumShuffles); // the softmax's max
        AssertClose(TestModels.Reference(onnx, TestModels.Input(200, 4), [1, 4]), outputs, 6 * Math.Pow(2, -settings.RunArgs.InputScale));
    }

    [Fact]
    public async Task A_one_block_transformer_with_layer_norm_attention_softmax_and_gelu_proves_and_verifies_matching_onnx_runtime()
    {
        var onnx = OperatorModels.TransformerBlock(9);

        var (outputs, settings) = await CalibrateProveAndVerifyAsync(onnx, [1, 3, 4]);

        Assert.Equal(3, settings.NumShuffles); // one softmax max per token
        AssertClose(TestModels.Reference(onnx, TestModels.Input(200, 12), [1, 3, 4]), outputs, 16 * Math.Pow(2, -settings.RunArgs.InputScale));
    }

    [Fact]
    public async Task A_small_lenet_with_max_pooling_and_softmax_proves_and_verifies_matching_onnx_runtime()
    {
        var onnx = OperatorModels.LeNet(21);

        var (outputs, settings) = await CalibrateProveAndVerifyAsync(onnx, [1, 1, 8, 8]);

        Assert.Equal((2 * 3 * 3) + (3 * 1 * 1) + 1, settings.NumShuffles); // one sort per pooling window, one for the softmax max
        AssertClose(TestModels.Reference(onnx, TestModels.Input(200, 64), [1, 1, 8, 8]), outputs, 8 * Math.Pow(2, -settings.RunArgs.InputScale));
    }

    [Fact]
    public async Task An_embedding_text_classifier_gathers_token_ids_through_a_dynamic_lookup_and_proves_matching_onnx_runtime()
    {
        var onnx = OperatorModels.EmbeddingClassifier(17);
        float[] tokens = [3, 0, 7, 3];

        var (outputs, settings) = await CalibrateProveAndVerifyAsync(onnx, [tokens, [1, 5, 2, 6]]);

        Assert.Equal(1, settings.NumDynamicLookups); // the gather
        Assert.Equal(32, settings.TotalDynamicColSize); // the 8 x 4 table
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(onnx);
        using var results = session.Run([Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor("ids", new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<long>(tokens.Select(t => (long)t).ToArray(), [4]))]);
        AssertClose(results.First().AsEnumerable<float>().ToArray(), outputs, 4 * Math.Pow(2, -settings.RunArgs.InputScale));
    }

    [Fact]
    public async Task Ops_tract_rewrites_into_others_prove_and_verify_matching_onnx_runtime()
    {
        var onnx = OperatorModels.Compositions();

        var (outputs, settings) = await CalibrateProveAndVerifyAsync(onnx, [1, 2, 2, 2]);

        var ops = Compiler.DescribeModel(onnx, settings.RunArgs).Select(n => n.Operation).ToList();
        Assert.Contains(ops, o => o.Contains("Pow{2}", StringComparison.Ordinal)); // Mul(x, x), ReduceL2 and ReduceSumSquare square with Poly Pow
        Assert.DoesNotContain(ops, o => o.Contains("SumPool", StringComparison.Ordinal)); // GlobalAveragePool is Sum + scale, as in ezkl
        AssertClose(TestModels.Reference(onnx, TestModels.Input(200, 8), [1, 2, 2, 2]), outputs, 8 * Math.Pow(2, -settings.RunArgs.InputScale));
    }

    [Fact]
    public void The_model_table_charges_every_node_its_cells_shuffles_dynamic_lookups_and_tables()
    {
        var onnx = OperatorModels.TreeEnsemble();
        var args = new RunArgs { DecompBase = 128, DecompLegs = 2, Logrows = 9, LookupRange = new IntRange(0, 0) };

        var rows = Compiler.DescribeModel(onnx, args);
        var totals = Compiler.GenerateSettings(onnx, args);

        Assert.Equal(totals.NumShuffles, rows.Sum(r => r.Shuffles));
        Assert.Equal(totals.NumDynamicLookups, rows.Sum(r => r.DynamicLookups));
        Assert.True(rows.Sum(r => r.Assignments) <= totals.TotalAssignments); // the rest is the public-output check
        var argmax = Assert.Single(rows, r => r.Operation.StartsWith("ReduceArgMax", StringComparison.Ordinal));
        Assert.Equal((1, 1), (argmax.Shuffles, argmax.DynamicLookups));
        Assert.Contains("range[-1, 1]", argmax.Tables);
        Assert.All(rows.Where(r => r.Operation.StartsWith("Constant", StringComparison.Ordinal)), r => Assert.Equal(0, r.Assignments));
    }

    [Theory]
    [InlineData("compositions", 10)]
    [InlineData("embedding", 8)]
    [InlineData("divisions", 9)]
    [InlineData("tree ensemble", 8)]
    [InlineData("pooling", 9)]
    [InlineData("shapes and reductions", 8)]
    [InlineData("lookups", 9)]
    [InlineData("decompositions", 10)]
    public async Task The_computed_total_assignments_of_the_new_families_passes_setup_and_one_column_block_less_is_rejected(string name, int logrows)
    {
        var onnx = name switch
        {
            "lookups" => OperatorModels.Lookups(),
            "decompositions" => OperatorModels.Decompositions(),
            "pooling" => OperatorModels.Pooling(5),
            "tree ensemble" => OperatorModels.TreeEnsemble(),
            "divisions" => OperatorModels.Divisions(),
            "embedding" => OperatorModels.EmbeddingClassifier(17),
            "compositions" => OperatorModels.Compositions(),
            _ => OperatorModels.ShapesAndReductions(3),
        };
        var args = new RunArgs { InputScale = 7, ParamScale = 7, DecompBase = 128, DecompLegs = 2, Logrows = logrows, LookupRange = new IntRange(-300, 300) };
        var srs = await KzgSrs.GenerateUnsafeAsync(logrows);
        var settings = Compiler.GenerateSettings(onnx, args);
        var blocks = ColumnBlocks.AdviceBlocks(settings.TotalAssignments, logrows, 2);
        Assert.True(blocks >= 2, $"the test needs a layout of several blocks, got {settings.TotalAssignments} assignments");

        Assert.NotEmpty((await fixture.Engine.GenerateVerifyingKeyAsync(Compiler.CompileCircuit(onnx, settings), srs)).ToArray());

        var fewer = settings.Clone();
        fewer.TotalAssignments = ColumnBlocks.SmallestAssignmentsFor(blocks, logrows, 2) - 1;
        await Assert.ThrowsAnyAsync<EzklEngineException>(async () =>
            await fixture.Engine.GenerateVerifyingKeyAsync(Compiler.CompileCircuit(onnx, fewer), srs));
        output.WriteLine($"{name} at k = {logrows}: {settings.TotalAssignments} assignments, {blocks} blocks; {blocks - 1} rejected");
    }

    [Theory]
    [InlineData("LogSoftmax", "sort and shuffle")]
    [InlineData("Hardmax", "sort and shuffle")]
    [InlineData("GatherElements", "dynamic lookup")]
    [InlineData("ReduceProd", "Poly Prod")]
    [InlineData("Floor", "Hybrid Floor")]
    [InlineData("LSTM", "Scan sub-graph")]
    [InlineData("Tile", "ezkl v21 has no op")]
    [InlineData("Frobnicate", "ezkl v21 does not import it")]
    public void An_operator_zkml_does_not_lay_out_is_refused_with_its_name_and_the_reason(string opType, string reason)
    {
        var b = new OnnxModelBuilder();
        var x = b.AddInput("x", [1, 4]);
        b.AddOutput(b.AddNode(opType, [x], [1, 4]), "output");

        var error = Assert.Throws<UnsupportedOperatorException>(() => Compiler.GenerateSettings(b.ToBytes()));

        Assert.Equal(opType, error.OpType);
        Assert.Contains(opType, error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gather_with_computed_indices_of_rank_two_is_refused_because_ezkl_flattens_them()
    {
        var b = new OnnxModelBuilder();
        var x = b.AddInput("x", [4, 3]);
        var i = b.AddInt64Input("i", [2, 2]);
        b.AddOutput(b.AddNode("Gather", [x, i], [2, 2, 3], new Dictionary<string, object> { ["axis"] = 0L }), "output");

        var error = Assert.Throws<UnsupportedOperatorException>(() => Compiler.GenerateSettings(b.ToBytes()));

        Assert.Equal("Gather", error.OpType);
        Assert.Contains("rank-1", error.Message, StringComparison.Ordinal);
    }

    private Task<(double[] Outputs, CircuitSettings Settings)> CalibrateProveAndVerifyAsync(byte[] onnx, long[] shape, int scale = 7)
    {
        var length = (int)shape.Aggregate(1L, (p, d) => p * d);
        return CalibrateProveAndVerifyAsync(onnx, [TestModels.Input(200, length), TestModels.Input(201, length)], scale);
    }

    private async Task<(double[] Outputs, CircuitSettings Settings)> CalibrateProveAndVerifyAsync(byte[] onnx, float[][] samples, int scale = 7)
    {
        var engine = fixture.Engine;
        var generated = Compiler.GenerateSettings(onnx, new RunArgs { DecompBase = 128, DecompLegs = 2, Logrows = 10, LookupRange = new IntRange(0, 0) });
        var calibration = await Compiler.CalibrateSettingsAsync(
            engine,
            onnx,
            generated,
            samples.Select(s => ModelInput.FromValues([s.Select(v => (double)v)])).ToList(),
            new CalibrationOptions { Scales = [scale], RebaseMultipliers = [1], MaxLogrows = 14 });
        var settings = calibration.Settings;
        var srs = await KzgSrs.GenerateUnsafeAsync(settings.RunArgs.Logrows);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        Compiler.CompileCircuit(onnx, settings);
        var compileMs = watch.ElapsedMilliseconds;
        watch.Restart();
        var compiled = await Compiler.CompileAndSetupAsync(engine, onnx, settings, srs);
        var setupMs = watch.ElapsedMilliseconds - compileMs;
        var witness = await engine.GenerateWitnessAsync(compiled.Circuit, ModelInput.FromValues([samples[0].Select(v => (double)v)]));
        watch.Restart();
        var proof = await engine.ProveAsync(witness, compiled.Keys.ProvingKey, compiled.Circuit, srs);
        var proveMs = watch.ElapsedMilliseconds;
        var result = await engine.VerifyAsync(proof, compiled.Keys.VerifyingKey, compiled.Settings, srs);

        Assert.True(result.IsValid, result.Reason);
        Assert.Equal(0, compiled.Retries);
        output.WriteLine($"chose {calibration.Chosen}; logrows {settings.RunArgs.Logrows}, lookup range {settings.RunArgs.LookupRange}, {settings.TotalAssignments} assignments; compile {compileMs} ms, setup {setupMs} ms, prove {proveMs} ms (measurements, not assertions)");
        var outputScale = compiled.Settings.ModelOutputScales[0];
        return (witness.Outputs[0].Select(f => (double)f.ToSignedInteger() / Math.Pow(2, outputScale)).ToArray(), settings);
    }

    private static void AssertClose(float[] expected, double[] actual, double tolerance) => EndToEndTests.AssertClose(expected, actual, tolerance);
}
