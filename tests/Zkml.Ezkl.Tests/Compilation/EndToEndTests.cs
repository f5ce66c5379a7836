using Zkml.Ezkl.Compilation;
using Zkml.Ezkl.Tests.Engine;
using Zkml.TestSupport;

namespace Zkml.Ezkl.Tests.Compilation;

/// <summary>Models built in C#, compiled by Zkml, then set up, proved and verified by the real ezkl engine.</summary>
[Collection(EngineCollection.Name)]
public sealed class EndToEndTests(EngineFixture fixture)
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
    public async Task The_computed_total_assignments_passes_setup_and_one_column_block_less_is_rejected()
    {
        var onnx = TestModels.Mlp(7, 3, 8, 4);
        var settings = Compiler.GenerateSettings(onnx, SmallArgs());
        var blocks = ColumnBlocks.AdviceBlocks(settings.TotalAssignments, 6, 2);
        Assert.True(blocks >= 2, "the test needs a layout of several blocks");

        var vk = await fixture.Engine.GenerateVerifyingKeyAsync(Compiler.CompileCircuit(onnx, settings), fixture.Srs);
        Assert.NotEmpty(vk.ToArray());

        var fewer = settings.Clone();
        fewer.TotalAssignments = ColumnBlocks.SmallestAssignmentsFor(blocks, 6, 2) - 1;
        Assert.Equal(blocks - 1, ColumnBlocks.AdviceBlocks(fewer.TotalAssignments, 6, 2));
        await Assert.ThrowsAnyAsync<EzklEngineException>(async () =>
            await fixture.Engine.GenerateVerifyingKeyAsync(Compiler.CompileCircuit(onnx, fewer), fixture.Srs));
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

    internal async Task<double[]> ProveAndVerifyAsync(byte[] onnx, CircuitSettings settings, float[] input)
    {
        var engine = fixture.Engine;
        var srs = settings.RunArgs.Logrows == 6 ? fixture.Srs : throw new InvalidOperationException("only k = 6 is available here");
        var compiled = await Compiler.CompileAndSetupAsync(engine, onnx, settings, srs);
        var witness = await engine.GenerateWitnessAsync(compiled.Circuit, ModelInput.FromValues([input.Select(v => (double)v)]));
        var proof = await engine.ProveAsync(witness, compiled.Keys.ProvingKey, compiled.Circuit, srs);
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
