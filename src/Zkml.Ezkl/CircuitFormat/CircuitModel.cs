using System.Numerics;

namespace Zkml.Ezkl.Compilation.Circuit;

/// <summary>
/// One value of ezkl's <c>PolyOp</c>, <c>LookupOp</c> or <c>HybridOp</c>: a variant of the schema in
/// <see cref="OpSchema"/> and its field values in declaration order. Field values are
/// <see cref="float"/>, <see cref="int"/>, <see cref="uint"/>, <see cref="ulong"/>, <see cref="long"/>,
/// <see cref="bool"/>, <see cref="string"/>, <c>ulong[]</c> (usize lists), <c>(ulong, ulong)[]</c>
/// (padding), <see cref="int"/> (data/kernel format index), <c>int?</c> or <see cref="UsizeTensor"/>.
/// </summary>
internal sealed class CircuitOp
{
    public CircuitOp(OpVariantSpec variant, params object?[] values)
    {
        if (values.Length != variant.Fields.Count)
        {
            throw new ArgumentException($"{variant.Name} takes {variant.Fields.Count} fields, got {values.Length}", nameof(values));
        }

        Variant = variant;
        Values = values;
    }

    public OpVariantSpec Variant { get; }

    public IReadOnlyList<object?> Values { get; }

    public OpFamily Family => Variant.Family;

    public string Name => Variant.Name;

    public object? this[string fieldName]
    {
        get
        {
            for (var i = 0; i < Variant.Fields.Count; i++)
            {
                if (Variant.Fields[i].Name == fieldName)
                {
                    return Values[i];
                }
            }

            throw new KeyNotFoundException($"{Variant.Name} has no field {fieldName}");
        }
    }

    public static CircuitOp Poly(string name, params object?[] values) => new(OpSchema.Find(OpFamily.Poly, name), values);

    public static CircuitOp Lookup(string name, params object?[] values) => new(OpSchema.Find(OpFamily.Lookup, name), values);

    public static CircuitOp Hybrid(string name, params object?[] values) => new(OpSchema.Find(OpFamily.Hybrid, name), values);

    public override string ToString()
    {
        if (Values.Count == 0)
        {
            return Name;
        }

        var parts = Variant.Fields.Select((f, i) => (f.Name is null ? string.Empty : f.Name + ": ") + FormatValue(Values[i]));
        return Name + "{" + string.Join(", ", parts) + "}";
    }

    internal static string FormatValue(object? value) => value switch
    {
        null => "None",
        float f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        ulong[] list => "[" + string.Join(",", list) + "]",
        (ulong, ulong)[] pads => "[" + string.Join(",", pads.Select(p => $"({p.Item1},{p.Item2})")) + "]",
        string s => "\"" + s + "\"",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
    };
}

/// <summary>ezkl's <c>Tensor&lt;usize&gt;</c> as carried by gather/scatter ops.</summary>
internal sealed record UsizeTensor(ulong[] Inner, ulong[] Dims, int? Scale, Visibility? Visibility);

/// <summary>ezkl's <c>Tensor&lt;Fp&gt;</c>: values in the signed view of the BN254 scalar field.</summary>
internal sealed record FieldTensor(BigInteger[] Inner, ulong[] Dims, int? Scale, Visibility? Visibility);

/// <summary>ezkl's <c>Tensor&lt;f32&gt;</c>.</summary>
internal sealed record FloatTensor(float[] Inner, ulong[] Dims, int? Scale, Visibility? Visibility)
{
    /// <summary>What <c>remove_unused_nodes</c> leaves in every constant: no values, dims [0].</summary>
    public static FloatTensor Emptied { get; } = new([], [0], null, null);
}

/// <summary>ezkl's <c>InputType</c>, in declaration order.</summary>
internal enum InputType
{
    Bool,
    F16,
    F32,
    F64,
    Int,
    TDim,
    Unknown,
}

/// <summary>ezkl's <c>SupportedOp</c>: the op of one graph node.</summary>
internal abstract record SupportedOp
{
    /// <summary>The bincode variant index.</summary>
    public abstract int Tag { get; }
}

internal sealed record LinearOp(CircuitOp Op) : SupportedOp
{
    public override int Tag => 0;

    public override string ToString() => Op.ToString();
}

internal sealed record NonlinearOp(CircuitOp Op) : SupportedOp
{
    public override int Tag => 1;

    public override string ToString() => Op.ToString();
}

internal sealed record HybridOp(CircuitOp Op) : SupportedOp
{
    public override int Tag => 2;

    public override string ToString() => Op.ToString();
}

internal sealed record InputOp(int Scale, InputType DatumType, bool Decomp) : SupportedOp
{
    public override int Tag => 3;

    public override string ToString() => $"Input{{scale: {Scale}, {DatumType}, decomp: {Decomp}}}";
}

internal sealed record ConstantOp(FieldTensor QuantizedValues, FloatTensor RawValues, bool Decomp) : SupportedOp
{
    public override int Tag => 4;

    public override string ToString() => $"Constant{{[{string.Join(",", QuantizedValues.Dims)}] scale {QuantizedValues.Scale}}}";
}

internal sealed record UnknownOp : SupportedOp
{
    public override int Tag => 5;
}

internal sealed record RescaledOp(SupportedOp Inner, IReadOnlyList<(ulong Input, UInt128 Multiplier)> Scale) : SupportedOp
{
    public override int Tag => 6;

    public override string ToString() => $"Rescaled({Inner}, [{string.Join(",", Scale.Select(s => $"({s.Input},{s.Multiplier})"))}])";
}

internal sealed record RebaseScaleOp(SupportedOp Inner, CircuitOp RebaseOp, int TargetScale, int OriginalScale, double Multiplier) : SupportedOp
{
    public override int Tag => 7;

    public override string ToString() => $"RebaseScale({Inner}, {RebaseOp}, {OriginalScale}->{TargetScale})";
}

/// <summary>ezkl's <c>Node</c>.</summary>
internal sealed record GraphNode(SupportedOp Op, int OutScale, IReadOnlyList<(ulong Node, ulong Slot)> Inputs, ulong[] OutDims, ulong Index, ulong NumUses);

/// <summary>ezkl's <c>ParsedNodes</c> plus the model visibility: the <c>Model</c> struct.</summary>
internal sealed record GraphModel(
    SortedDictionary<ulong, GraphNode> Nodes,
    IReadOnlyList<ulong> Inputs,
    IReadOnlyList<(ulong Node, ulong Slot)> Outputs,
    IReadOnlyList<InputType> OutputTypes,
    Visibility InputVisibility,
    Visibility ParamsVisibility,
    Visibility OutputVisibility);

/// <summary>ezkl's <c>GraphWitness</c> as embedded in a compiled circuit (a placeholder of zero inputs).</summary>
internal sealed record EmbeddedWitness(
    IReadOnlyList<BigInteger[]> Inputs,
    IReadOnlyList<BigInteger[]> Outputs,
    Int128 MaxLookupInputs,
    Int128 MinLookupInputs,
    Int128 MaxRangeSize,
    string? Version)
{
    public static EmbeddedWitness Placeholder(IEnumerable<long> inputLengths) =>
        new(inputLengths.Select(n => new BigInteger[n]).Select(a => { Array.Fill(a, BigInteger.Zero); return a; }).ToList(), [], 0, 0, 0, null);
}

/// <summary>ezkl's <c>GraphCircuit</c>: the content of a <c>.compiled</c> file.</summary>
internal sealed record GraphCircuit(GraphModel Model, CircuitSettings Settings, EmbeddedWitness Witness);
