using Zkml.Ezkl.Compilation;
using Zkml.Ezkl.Tests.Engine;

namespace Zkml.Ezkl.Tests.Compilation;

[Collection(EngineCollection.Name)]
public sealed class CalibrationTests(EngineFixture fixture)
{
    private static readonly EzklCompiler Compiler = new();

    private static IReadOnlyList<ModelInput> Samples(int count, int length) =>
        Enumerable.Range(0, count).Select(i => ModelInput.FromValues([TestModels.Input(300 + i, length).Select(v => (double)v)])).ToList();

    private static CircuitSettings Generated(byte[] onnx) =>
        Compiler.GenerateSettings(onnx, new RunArgs { DecompBase = 128, Logrows = 10, LookupRange = new IntRange(0, 0) });

    [Fact]
    public async Task The_accuracy_target_chooses_the_candidate_with_the_smallest_error_against_onnx_runtime()
    {
        var onnx = TestModels.SigmoidHead(8);

        var result = await Compiler.CalibrateSettingsAsync(fixture.Engine, onnx, Generated(onnx), Samples(2, 4),
            new CalibrationOptions { Target = CalibrationTarget.Accuracy, Scales = [3, 7], RebaseMultipliers = [1] });

        var working = result.Candidates.Where(c => c.Failure is null).ToList();
        Assert.Equal(3, result.Candidates.Count);
        Assert.Equal(working.Min(c => c.MaxAbsoluteError), result.Chosen.MaxAbsoluteError);
        Assert.Equal((7, 7), (result.Settings.RunArgs.InputScale, result.Settings.RunArgs.ParamScale));
        Assert.NotEmpty(result.Settings.RequiredLookups);
        Assert.True(result.Settings.RunArgs.LookupRange.Min < 0 && result.Settings.RunArgs.LookupRange.Max > 0);
    }

    [Fact]
    public async Task The_resources_target_chooses_the_smallest_logrows_and_then_the_largest_scales()
    {
        var onnx = TestModels.SigmoidHead(8);

        var result = await Compiler.CalibrateSettingsAsync(fixture.Engine, onnx, Generated(onnx), Samples(2, 4),
            new CalibrationOptions { Target = CalibrationTarget.Resources, Scales = [3, 7], RebaseMultipliers = [1] });

        var smallest = result.Candidates.Where(c => c.Failure is null).Min(c => c.Logrows);
        Assert.Equal(smallest, result.Chosen.Logrows);
        Assert.Equal(smallest, result.Settings.RunArgs.Logrows);
        Assert.Equal(
            result.Candidates.Where(c => c.Logrows == smallest).Max(c => c.ParamScale),
            result.Chosen.ParamScale);
    }

    [Fact]
    public async Task Candidates_whose_values_overflow_the_decomposition_are_dropped_and_none_left_is_a_typed_error()
    {
        var onnx = TestModels.Mlp(2, 3, 4, 2);
        var tiny = Compiler.GenerateSettings(onnx, new RunArgs { DecompBase = 2, DecompLegs = 2, Logrows = 10 });

        var error = await Assert.ThrowsAsync<CalibrationException>(() => Compiler.CalibrateSettingsAsync(
            fixture.Engine, onnx, tiny, Samples(1, 3), new CalibrationOptions { Scales = [7, 8], RebaseMultipliers = [1] }));

        Assert.Contains("no candidate", error.Message);
    }

    [Fact]
    public async Task A_sample_that_does_not_fit_the_model_is_a_typed_error()
    {
        var onnx = TestModels.Mlp(2, 3, 4, 2);

        await Assert.ThrowsAsync<CalibrationException>(() => Compiler.CalibrateSettingsAsync(
            fixture.Engine, onnx, Generated(onnx), Samples(1, 5), new CalibrationOptions { Scales = [7], RebaseMultipliers = [1] }));
    }

    [Fact]
    public void Hashed_visibilities_are_refused_with_a_clear_error_until_their_module_sizes_are_accounted()
    {
        var onnx = TestModels.Mlp(2, 3, 4, 2);

        var error = Assert.Throws<EzklCompilationException>(() =>
            Compiler.GenerateSettings(onnx, new RunArgs { InputVisibility = Visibility.Hashed(true) }));

        Assert.Contains("Poseidon", error.Message);
    }
}
