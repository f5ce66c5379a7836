namespace Zkml.Ezkl.Compilation.Circuit;

/// <summary>
/// The arguments that shape a circuit (ezkl's <c>RunArgs</c>), with ezkl 21's defaults. They are
/// embedded in settings.json and in every compiled circuit.
/// </summary>
internal sealed record CircuitRunArgs
{
    /// <summary>log2 of the fixed-point multiplier for inputs (ezkl default 7).</summary>
    public int InputScale { get; init; } = 7;

    /// <summary>log2 of the fixed-point multiplier for parameters (ezkl default 7).</summary>
    public int ParamScale { get; init; } = 7;

    /// <summary>Products are divided back once their scale exceeds max(input, param) times this (default 1).</summary>
    public uint ScaleRebaseMultiplier { get; init; } = 1;

    /// <summary>The range of lookup-table inputs (default [-32768, 32768]).</summary>
    public (Int128 Min, Int128 Max) LookupRange { get; init; } = (-32768, 32768);

    /// <summary>log2 of the number of rows; must equal the SRS's k (default 17).</summary>
    public uint Logrows { get; init; } = 17;

    /// <summary>Advice columns per block (default 2).</summary>
    public ulong NumInnerCols { get; init; } = 2;

    /// <summary>Values of symbolic dimensions, e.g. ("batch_size", 1).</summary>
    public IReadOnlyList<(string Name, ulong Value)> Variables { get; init; } = [("batch_size", 1)];

    /// <summary>CircuitVisibility of the model inputs (default private).</summary>
    public CircuitVisibility InputVisibility { get; init; } = CircuitVisibility.Private;

    /// <summary>CircuitVisibility of the model outputs (default public).</summary>
    public CircuitVisibility OutputVisibility { get; init; } = CircuitVisibility.Public;

    /// <summary>CircuitVisibility of the model parameters (default private).</summary>
    public CircuitVisibility ParamVisibility { get; init; } = CircuitVisibility.Private;

    /// <summary>Quantize constants with no fractional part at scale 0.</summary>
    public bool RebaseFracZeroConstants { get; init; }

    /// <summary>ezkl's check mode (default unsafe).</summary>
    public CircuitCheckMode CheckMode { get; init; } = CircuitCheckMode.Unsafe;

    /// <summary>The polynomial commitment scheme (default KZG, the only one Zkml's SRS tools make).</summary>
    public CommitmentScheme? Commitment { get; init; } = CommitmentScheme.Kzg;

    /// <summary>Base of the range-check decomposition (default 16384).</summary>
    public ulong DecompBase { get; init; } = 16384;

    /// <summary>Number of decomposition legs (default 2): values must satisfy |v| &lt; base^legs.</summary>
    public ulong DecompLegs { get; init; } = 2;

    /// <summary>Bound the input of log lookups.</summary>
    public bool BoundedLogLookup { get; init; }

    /// <summary>Skip the range checks of model inputs and outputs.</summary>
    public bool IgnoreRangeCheckInputsOutputs { get; init; }

    /// <summary>The value of a symbolic dimension, if set.</summary>
    /// <param name="name">The dimension's name.</param>
    /// <returns>Its value, or null.</returns>
    public ulong? Variable(string name)
    {
        foreach (var (n, v) in Variables)
        {
            if (n == name)
            {
                return v;
            }
        }

        return null;
    }
}

/// <summary>ezkl's <c>CircuitCheckMode</c>.</summary>
internal enum CircuitCheckMode
{
    /// <summary>Extra consistency checks while proving.</summary>
    Safe,

    /// <summary>No extra checks.</summary>
    Unsafe,
}

/// <summary>ezkl's <c>Commitments</c>.</summary>
internal enum CommitmentScheme
{
    /// <summary>KZG commitments (BN254).</summary>
    Kzg,

    /// <summary>Inner-product arguments.</summary>
    Ipa,
}
