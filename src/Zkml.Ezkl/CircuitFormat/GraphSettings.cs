namespace Zkml.Ezkl.Compilation.Circuit;

/// <summary>
/// ezkl 21's <c>GraphSettings</c>, field for field: what settings.json holds and what a compiled
/// circuit embeds. Field order is the serialization order.
/// </summary>
internal sealed record GraphSettings
{
    public required CircuitRunArgs RunArgs { get; init; }

    public ulong NumRows { get; init; }

    public ulong TotalAssignments { get; init; }

    public ulong TotalConstSize { get; init; }

    public ulong TotalDynamicColSize { get; init; }

    public ulong MaxDynamicInputLen { get; init; }

    public ulong NumDynamicLookups { get; init; }

    public ulong NumShuffles { get; init; }

    public ulong TotalShuffleColSize { get; init; }

    public IReadOnlyList<ulong[]> ModelInstanceShapes { get; init; } = [];

    public IReadOnlyList<int> ModelOutputScales { get; init; } = [];

    public IReadOnlyList<int> ModelInputScales { get; init; } = [];

    public IReadOnlyList<ulong> ModuleSizesPolycommit { get; init; } = [];

    public (ulong Constraints, IReadOnlyList<ulong> Instances) ModuleSizesPoseidon { get; init; } = (0, [0]);

    public IReadOnlyList<CircuitOp> RequiredLookups { get; init; } = [];

    public IReadOnlyList<(Int128 Min, Int128 Max)> RequiredRangeChecks { get; init; } = [];

    public CircuitCheckMode CheckMode { get; init; } = CircuitCheckMode.Unsafe;

    public string Version { get; init; } = "0.0.0";

    public ulong? NumBlindingFactors { get; init; }

    public UInt128? Timestamp { get; init; }

    public IReadOnlyList<InputType>? InputTypes { get; init; }

    public IReadOnlyList<InputType>? OutputTypes { get; init; }
}
