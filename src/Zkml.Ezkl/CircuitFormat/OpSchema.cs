namespace Zkml.Ezkl.Compilation.Circuit;

/// <summary>The three op enums of ezkl 21 whose variants carry plain data fields.</summary>
internal enum OpFamily
{
    /// <summary><c>PolyOp</c>: polynomial (linear-layout) ops.</summary>
    Poly,

    /// <summary><c>LookupOp</c>: element-wise ops backed by a lookup table.</summary>
    Lookup,

    /// <summary><c>HybridOp</c>: ops laid out with a mix of gates, lookups and decompositions.</summary>
    Hybrid,
}

/// <summary>How one field of an op variant is encoded.</summary>
internal enum OpFieldKind
{
    F32,
    I32,
    U32,
    U64,
    I64,
    Bool,
    Str,
    UsizeList,
    Padding,
    DataFormat,
    KernelFormat,
    OptionalI32,
    OptionalUsizeTensor,
}

/// <summary>A field of an op variant; a null name marks a newtype variant's single field.</summary>
internal sealed record OpFieldSpec(string? Name, OpFieldKind Kind);

/// <summary>An op variant: its declaration index (the bincode tag), its name and its fields in order.</summary>
internal sealed record OpVariantSpec(OpFamily Family, int Index, string Name, IReadOnlyList<OpFieldSpec> Fields)
{
    public bool IsNewtype => Fields.Count == 1 && Fields[0].Name is null;
}

/// <summary>
/// The variant tables of ezkl 21.0.0's <c>PolyOp</c>, <c>LookupOp</c> and <c>HybridOp</c>, in
/// declaration order (see ezkl-v21-formats.md §1.3). Encoding, decoding and JSON all read these
/// tables, so a variant is described once.
/// </summary>
internal static class OpSchema
{
    public static IReadOnlyList<OpVariantSpec> Poly { get; } = Build(OpFamily.Poly,
        ("Abs", ""), ("Sign", ""),
        ("LeakyReLU", "slope:f32 scale:i32"),
        ("GatherElements", "dim:u64 constant_idx:tusize"),
        ("GatherND", "batch_dims:u64 indices:tusize"),
        ("ScatterElements", "dim:u64 constant_idx:tusize"),
        ("ScatterND", "constant_idx:tusize"),
        ("MultiBroadcastTo", "shape:vu64"),
        ("Einsum", "equation:str"),
        ("Conv", "padding:pads stride:vu64 group:u64 data_format:df kernel_format:kf"),
        ("Downsample", "axis:u64 stride:i64 modulo:u64"),
        ("DeConv", "padding:pads output_padding:vu64 stride:vu64 group:u64 data_format:df kernel_format:kf"),
        ("Add", ""), ("Sub", ""), ("Neg", ""), ("Mult", ""),
        ("Identity", "out_scale:oi32"),
        ("Reshape", "_:vu64"),
        ("MoveAxis", "source:u64 destination:u64"),
        ("Flatten", "_:vu64"),
        ("Pad", "_:pads"),
        ("Sum", "axes:vu64"),
        ("MeanOfSquares", "axes:vu64"),
        ("Prod", "axes:vu64 len_prod:u64"),
        ("Pow", "_:u32"),
        ("Concat", "axis:u64"),
        ("Slice", "axis:u64 start:u64 end:u64"),
        ("Iff", ""),
        ("Resize", "scale_factor:vu64"),
        ("Not", ""), ("And", ""), ("Or", ""), ("Xor", ""),
        ("Trilu", "upper:bool k:i32"));

    public static IReadOnlyList<OpVariantSpec> Lookup { get; } = Build(OpFamily.Lookup,
        ("Div", "denom:f32"), ("IsOdd", ""), ("PowersOfTwo", "scale:f32"), ("Ln", "scale:f32"),
        ("Sigmoid", "scale:f32"), ("Exp", "scale:f32 base:f32"),
        ("Cos", "scale:f32"), ("ACos", "scale:f32"), ("Cosh", "scale:f32"), ("ACosh", "scale:f32"),
        ("Sin", "scale:f32"), ("ASin", "scale:f32"), ("Sinh", "scale:f32"), ("ASinh", "scale:f32"),
        ("Tan", "scale:f32"), ("ATan", "scale:f32"), ("Tanh", "scale:f32"), ("ATanh", "scale:f32"),
        ("Erf", "scale:f32"),
        ("Pow", "scale:f32 a:f32"), ("HardSwish", "scale:f32"));

    public static IReadOnlyList<OpVariantSpec> Hybrid { get; } = Build(OpFamily.Hybrid,
        ("Ln", "scale:f32"),
        ("Rsqrt", "input_scale:f32 output_scale:f32"),
        ("Sqrt", "scale:f32"),
        ("RoundHalfToEven", "scale:f32 legs:u64"),
        ("Ceil", "scale:f32 legs:u64"),
        ("Floor", "scale:f32 legs:u64"),
        ("Round", "scale:f32 legs:u64"),
        ("Recip", "input_scale:f32 output_scale:f32"),
        ("Div", "denom:f32"),
        ("ReduceMax", "axes:vu64"),
        ("ReduceArgMax", "dim:u64"),
        ("SumPool", "padding:pads stride:vu64 kernel_shape:vu64 normalized:bool data_format:df"),
        ("MaxPool", "padding:pads stride:vu64 pool_dims:vu64 data_format:df"),
        ("ReduceMin", "axes:vu64"),
        ("ReduceArgMin", "dim:u64"),
        ("Max", ""), ("Min", ""),
        ("Softmax", "input_scale:f32 output_scale:f32 axes:vu64"),
        ("Output", "decomp:bool"),
        ("Greater", ""), ("GreaterEqual", ""), ("Less", ""), ("LessEqual", ""), ("Equals", ""),
        ("Gather", "dim:u64 constant_idx:tusize"),
        ("TopK", "dim:u64 k:u64 largest:bool"),
        ("OneHot", "dim:u64 num_classes:u64"));

    public static IReadOnlyList<OpVariantSpec> Of(OpFamily family) => family switch
    {
        OpFamily.Poly => Poly,
        OpFamily.Lookup => Lookup,
        _ => Hybrid,
    };

    public static OpVariantSpec Find(OpFamily family, string name) =>
        Of(family).FirstOrDefault(v => v.Name == name)
        ?? throw new ArgumentException($"{family} has no variant named {name}", nameof(name));

    private static OpVariantSpec[] Build(OpFamily family, params (string Name, string Fields)[] variants)
    {
        var result = new OpVariantSpec[variants.Length];
        for (var i = 0; i < variants.Length; i++)
        {
            var fields = variants[i].Fields
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(f =>
                {
                    var parts = f.Split(':');
                    return new OpFieldSpec(parts[0] == "_" ? null : parts[0], ParseKind(parts[1]));
                })
                .ToArray();
            result[i] = new OpVariantSpec(family, i, variants[i].Name, fields);
        }

        return result;
    }

    private static OpFieldKind ParseKind(string code) => code switch
    {
        "f32" => OpFieldKind.F32,
        "i32" => OpFieldKind.I32,
        "u32" => OpFieldKind.U32,
        "u64" => OpFieldKind.U64,
        "i64" => OpFieldKind.I64,
        "bool" => OpFieldKind.Bool,
        "str" => OpFieldKind.Str,
        "vu64" => OpFieldKind.UsizeList,
        "pads" => OpFieldKind.Padding,
        "df" => OpFieldKind.DataFormat,
        "kf" => OpFieldKind.KernelFormat,
        "oi32" => OpFieldKind.OptionalI32,
        "tusize" => OpFieldKind.OptionalUsizeTensor,
        _ => throw new InvalidOperationException("unknown field kind " + code),
    };
}
