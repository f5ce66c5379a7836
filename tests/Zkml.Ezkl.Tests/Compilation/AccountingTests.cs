using Zkml.Ezkl.Compilation;
using Zkml.Ezkl.Compilation.Circuit;
using Zkml.Ezkl.Compilation.Layout;
using Zkml.TestSupport;

namespace Zkml.Ezkl.Tests.Compilation;

/// <summary>The dummy-layout accounting against the numbers of the reference notes (dummy_layout.py, checked against ezkl 21).</summary>
public sealed class AccountingTests
{
    [Fact]
    public void The_fixture_model_accounts_144_rows_288_assignments_and_3_constants()
    {
        var onnx = File.ReadAllBytes(TestPaths.Fixture("network.onnx"));
        var args = CircuitSettings.Load(TestPaths.Fixture("settings.json")).RunArgs;

        var model = CircuitCompiler.BuildModel(onnx, args, out var typed);
        var settings = SettingsGenerator.Generate(model, typed, args, AccountingMode.EzklDummy);

        Assert.Equal(144L, settings.NumRows);
        Assert.Equal(288L, settings.TotalAssignments);
        Assert.Equal(3L, settings.TotalConstSize);
        Assert.Equal(new IntRange[] { new(-1, 1), new(0, 127) }, settings.RequiredRangeChecks.OrderBy(r => r.Min).ToArray());
        Assert.Empty(settings.RequiredLookups);
    }

    [Theory]
    [InlineData(7, 7, 1, 128, 10, 564, 1128, 3, 127)]
    [InlineData(7, 7, 1, 128, 6, 565, 1130, 3, 127)]
    [InlineData(7, 7, 10, 16384, 15, 216, 432, 3, 16383)]
    [InlineData(5, 9, 1, 128, 8, 564, 1128, 5, 127)]
    public void A_two_layer_mlp_accounts_like_the_reference_model(
        int inputScale, int paramScale, int multiplier, long decompBase, int logrows, long rows, long assignments, long constants, long maxDigit)
    {
        var onnx = TestModels.Mlp(42, 3, 8, 4);
        var args = new RunArgs
        {
            InputScale = inputScale,
            ParamScale = paramScale,
            ScaleRebaseMultiplier = multiplier,
            DecompBase = decompBase,
            Logrows = logrows,
            LookupRange = new IntRange(0, 0),
        };

        var model = CircuitCompiler.BuildModel(onnx, args, out var typed);
        var settings = SettingsGenerator.Generate(model, typed, args, AccountingMode.EzklDummy);

        Assert.Equal((rows, assignments, constants), (settings.NumRows, settings.TotalAssignments, settings.TotalConstSize));
        Assert.Equal(new IntRange[] { new(-1, 1), new(0, maxDigit) }, settings.RequiredRangeChecks.OrderBy(r => r.Min).ToArray());
    }

    [Theory]
    [InlineData(1, 222L)]
    [InlineData(2, 224L)]
    [InlineData(3, 234L)]
    [InlineData(4, 252L)]
    public void The_tight_estimate_of_the_fixture_matches_the_real_usage_the_engine_probes_bracketed(int innerCols, long expected)
    {
        var onnx = File.ReadAllBytes(TestPaths.Fixture("network.onnx"));
        var args = CircuitSettings.Load(TestPaths.Fixture("settings.json")).RunArgs;
        args.NumInnerCols = innerCols;

        var model = CircuitCompiler.BuildModel(onnx, args, out var typed);
        var settings = SettingsGenerator.Generate(model, typed, args, AccountingMode.Tight);

        Assert.Equal(expected, settings.TotalAssignments);
    }

    [Fact]
    public void Column_blocks_follow_ezkls_bucket_formula()
    {
        // k = 6, 2 inner columns: 116 assignments per block (the fixture probes of the reference notes).
        Assert.Equal(116, ColumnBlocks.Capacity(6, 2));
        Assert.Equal(1, ColumnBlocks.AdviceBlocks(114, 6, 2));
        Assert.Equal(2, ColumnBlocks.AdviceBlocks(115, 6, 2));
        Assert.Equal(115, ColumnBlocks.SmallestAssignmentsFor(2, 6, 2));
    }
}
