using System.Text.Json.Nodes;
using Zkml.Ezkl.Compilation.Circuit;
using Zkml.Ezkl.Compilation.Normalization;
using Zkml.Ezkl.Onnx;

namespace Zkml.Ezkl.Compilation.Layout;

/// <summary>
/// ezkl's <c>gen-settings</c> (<c>GraphCircuit::new</c> → <c>Model::gen_params</c>): lays the model out in
/// dummy mode at the run args' logrows and records the counts, the instance shapes, the scales and
/// the range checks and lookups the keys must be configured with.
/// </summary>
internal static class SettingsGenerator
{
    /// <summary>Rows halo2 reserves for blinding plus ezkl's margin (<c>RESERVED_BLINDING_ROWS</c>).</summary>
    public const int ReservedBlindingRows = 8;

    public const uint MinLogrows = 6;

    public const uint MaxLogrows = 26;

    public static CircuitSettings Generate(GraphModel model, TypedGraph typed, RunArgs runArgs, AccountingMode mode = AccountingMode.Tight)
    {
        RequireSupportedVisibilities(runArgs);
        var region = DummyLayout.Run(model, runArgs, (uint)runArgs.Logrows, mode);

        var instanceShapes = new List<ulong[]>();
        if (runArgs.InputVisibility.IsPublic)
        {
            instanceShapes.AddRange(typed.Inputs.Select(i => Dims(i.Shape)));
        }

        if (runArgs.OutputVisibility.IsPublic)
        {
            instanceShapes.AddRange(model.Outputs.Select(o => model.Nodes[o.Node].OutDims));
        }

        // Poseidon module (hashed inputs / outputs): 41 rows per hashed element + 2 per tensor, one instance per hash.
        ulong poseidonRows = 0, hashes = 0;
        void Hash(Visibility visibility, IEnumerable<ulong[]> shapes)
        {
            if (!visibility.IsHashed)
            {
                return;
            }

            foreach (var shape in shapes)
            {
                var length = shape.Aggregate(1UL, (p, d) => p * d);
                if (length > 0)
                {
                    poseidonRows += (41 * length) + 2;
                    hashes++;
                }
            }
        }

        Hash(runArgs.InputVisibility, typed.Inputs.Select(i => Dims(i.Shape)));
        Hash(runArgs.OutputVisibility, model.Outputs.Select(o => model.Nodes[o.Node].OutDims));

        return new CircuitSettings
        {
            RunArgs = runArgs.Clone(),
            NumRows = (long)Math.Max((ulong)region.Row, poseidonRows),
            ModuleSizes = new JsonObject
            {
                ["polycommit"] = new JsonArray(),
                ["poseidon"] = new JsonArray(JsonValue.Create(poseidonRows), new JsonArray(JsonValue.Create(hashes))),
            },
            TotalAssignments = region.LinearCoord,
            TotalConstSize = region.Constants.Count,
            NumShuffles = region.ShuffleIndex,
            NumDynamicLookups = region.DynamicLookupIndex,
            TotalDynamicColSize = region.DynamicLookupColCoord,
            TotalShuffleColSize = region.ShuffleColCoord,
            MaxDynamicInputLen = region.MaxDynamicInputLen,
            ModelInstanceShapes = instanceShapes.Select(s => s.Select(d => (long)d).ToList()).ToList(),
            ModelOutputScales = model.Outputs.Select(o => model.Nodes[o.Node].OutScale).ToList(),
            ModelInputScales = model.Inputs.Select(i => model.Nodes[i].OutScale).ToList(),
            RequiredLookups = region.Lookups.Select(l => (JsonNode?)LookupOpJson.ToJson(l)).ToList(),
            RequiredRangeChecks = region.RangeChecks.Select(r => new IntRange((long)r.Min, (long)r.Max)).ToList(),
            CheckMode = runArgs.CheckMode,
            Version = "0.0.0",
            Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            InputTypes = typed.Inputs.Select(i => (JsonNode?)JsonValue.Create(CircuitBuilder.TypeOf(i.ElementKind).ToString())).ToList(),
            OutputTypes = model.OutputTypes.Select(t => (JsonNode?)JsonValue.Create(t.ToString())).ToList(),
        };
    }

    /// <summary>
    /// ezkl's <c>calc_min_logrows</c>: the smallest k whose columns hold the rows, the largest lookup
    /// or range table and the constants, at least <see cref="MinLogrows"/> and enough for the public
    /// instances. Counts depend on k (column crossings), so the settings are regenerated at the chosen
    /// k until it is stable. <paramref name="ceiling"/> caps k (tables then span several columns).
    /// </summary>
    public static CircuitSettings WithMinimalLogrows(GraphModel model, TypedGraph typed, RunArgs runArgs, Int128 maxRangeSize, uint? ceiling = null, AccountingMode mode = AccountingMode.Tight)
    {
        var settings = Generate(model, typed, runArgs, mode);
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var k = MinimalLogrows(settings, maxRangeSize, ceiling);
            if (k == settings.RunArgs.Logrows)
            {
                return settings;
            }

            var resized = runArgs.Clone();
            resized.Logrows = (int)k;
            settings = Generate(model, typed, resized, mode);
        }

        return settings;
    }

    public static uint MinimalLogrows(CircuitSettings settings, Int128 maxRangeSize, uint? ceiling)
    {
        var ra = settings.RunArgs;
        var instances = settings.ModelInstanceShapes.Sum(s => (double)s.Aggregate(1L, (p, d) => p * d));
        var poseidonRows = settings.ModuleSizes["poseidon"]![0]!.GetValue<ulong>();
        // A shuffle's (or dynamic lookup's) cells must fit in one column of the single-column vars.
        var floor = Math.Max(Math.Max(Math.Max(MinLogrows, CeilLog2(Math.Max(instances, 1))), CeilLog2(poseidonRows)), CeilLog2(settings.MaxDynamicInputLen + 6));
        var lookupSpan = (Int128)ra.LookupRange.Max - ra.LookupRange.Min;
        var rangeSpan = settings.RequiredRangeChecks.Select(r => (Int128)r.Max - r.Min).DefaultIfEmpty(0).Max();
        var tableSpan = Int128.Max(Int128.Max(settings.RequiredLookups.Count > 0 ? lookupSpan : 0, rangeSpan), maxRangeSize);
        var k = Math.Max(
            CeilLog2(settings.NumRows + ReservedBlindingRows),
            Math.Max(CeilLog2((double)tableSpan + ReservedBlindingRows + 1), CeilLog2((double)settings.TotalConstSize / ra.NumInnerCols)));
        k = Math.Min(Math.Max(k, floor), MaxLogrows);
        if (ceiling is { } c)
        {
            k = Math.Max(Math.Min(k, c), floor);
        }

        return k;
    }

    private static uint CeilLog2(double value) => value <= 1 ? 0 : (uint)Math.Ceiling(Math.Log2(value));

    private static ulong[] Dims(long[] shape) => shape.Length == 0 ? [1] : shape.Select(d => (ulong)d).ToArray();

    private static void RequireSupportedVisibilities(RunArgs runArgs)
    {
        foreach (var (what, v) in new[] { ("input", runArgs.InputVisibility), ("output", runArgs.OutputVisibility), ("param", runArgs.ParamVisibility) })
        {
            var supportedHash = v.IsHashed && v.HashIsPublic && what != "param";
            if (v.IsKzgCommit || (v.IsHashed && !supportedHash))
            {
                throw new EzklCompilationException($"{what} visibility {v} needs Poseidon/polycommit module sizes Zkml's compiler does not account yet; use private, public, fixed, or hashed/public for inputs and outputs");
            }
        }

        if (runArgs.InputVisibility.IsFixed || runArgs.OutputVisibility.IsFixed)
        {
            throw new EzklCompilationException("fixed visibility applies to parameters only");
        }

        if (!runArgs.InputVisibility.IsPublicOrFixed() && !runArgs.OutputVisibility.IsPublicOrFixed() && !runArgs.ParamVisibility.IsPublicOrFixed())
        {
            throw new EzklCompilationException("at least one of input, output or parameters must be public or fixed: a proof with no public part proves nothing");
        }
    }
}

/// <summary>Visibility tests the layout needs.</summary>
internal static class VisibilityExtensions
{
    /// <summary>True for visibilities that contribute public instances or fixed values, which ezkl requires for at
    /// least one of input, output or parameters.</summary>
    public static bool IsPublicOrFixed(this Visibility visibility) =>
        visibility.IsPublic || visibility.IsFixed || visibility.IsHashed || visibility.IsKzgCommit;
}
