using System.Text.Json.Nodes;

namespace Zkml.Ezkl.Compilation.Circuit;

/// <summary>
/// Encodes and decodes ezkl 21's <c>GraphCircuit</c> in bincode, the <c>.compiled</c> file format.
/// Decoding then encoding reproduces the input byte for byte.
/// </summary>
internal static class CompiledCircuitCodec
{
    public static byte[] Encode(GraphCircuit circuit)
    {
        var w = new BincodeWriter();
        WriteModel(w, circuit.Model);
        WriteSettings(w, circuit.Settings);
        WriteWitness(w, circuit.Witness);
        return w.ToArray();
    }

    public static GraphCircuit Decode(ReadOnlyMemory<byte> data)
    {
        var r = new BincodeReader(data);
        try
        {
            var model = ReadModel(r);
            var settings = ReadSettings(r);
            var witness = ReadWitness(r);
            if (r.Remaining != 0)
            {
                throw new CompiledCircuitFormatException($"{r.Remaining} trailing bytes after the circuit at offset {r.Position}");
            }

            return new GraphCircuit(model, settings, witness);
        }
        catch (OverflowException e)
        {
            // A value that fits its bincode width but not the field it is read into (e.g. a u64 count above int).
            throw OutOfRange(r, e);
        }
    }

    /// <summary>
    /// The settings' <c>run_args.logrows</c>, read without the witness tail. bincode has no offsets, so the model
    /// before it is parsed (and dropped): linear in the file, no layout or synthesis.
    /// </summary>
    public static int ReadLogrows(ReadOnlyMemory<byte> data)
    {
        var r = new BincodeReader(data);
        long logrows;
        try
        {
            ReadModel(r);
            logrows = ReadSettings(r).RunArgs.Logrows;
        }
        catch (OverflowException e)
        {
            throw OutOfRange(r, e);
        }

        return logrows is >= 1 and <= 32
            ? (int)logrows
            : throw new CompiledCircuitFormatException($"run_args.logrows = {logrows} is outside [1, 32]");
    }

    private static CompiledCircuitFormatException OutOfRange(BincodeReader r, OverflowException e) =>
        new($"a value before offset {r.Position} is out of range for its field", e);

    // ---------------------------------------------------------------- model

    private static void WriteModel(BincodeWriter w, GraphModel m)
    {
        w.Length(m.Nodes.Count);
        foreach (var (key, node) in m.Nodes)
        {
            w.U64(key);
            w.U32(0); // NodeType::Node; Zkml never emits SubGraph.
            WriteOp(w, node.Op);
            w.I32(node.OutScale);
            w.Sequence(node.Inputs, o => { w.U64(o.Node); w.U64(o.Slot); });
            w.Sequence(node.OutDims, w.U64);
            w.U64(node.Index);
            w.U64(node.NumUses);
        }

        w.Sequence(m.Inputs, w.U64);
        w.Sequence(m.Outputs, o => { w.U64(o.Node); w.U64(o.Slot); });
        w.Sequence(m.OutputTypes, t => w.U32((uint)t));
        WriteVisibility(w, m.InputVisibility);
        WriteVisibility(w, m.ParamsVisibility);
        WriteVisibility(w, m.OutputVisibility);
    }

    private static GraphModel ReadModel(BincodeReader r)
    {
        var count = r.Length();
        var nodes = new SortedDictionary<ulong, GraphNode>();
        for (var i = 0; i < count; i++)
        {
            var key = r.U64();
            if (r.Variant(2, "NodeType") != 0)
            {
                throw new CompiledCircuitFormatException("sub-graph nodes (ONNX Scan/Loop) are not supported");
            }

            var op = ReadOp(r);
            var node = new GraphNode(op, r.I32(), r.Sequence(() => (r.U64(), r.U64())), [.. r.Sequence(r.U64)], r.U64(), r.U64());
            if (!nodes.TryAdd(key, node))
            {
                throw new CompiledCircuitFormatException($"duplicate node key {key}");
            }
        }

        return new GraphModel(
            nodes,
            r.Sequence(r.U64),
            r.Sequence(() => (r.U64(), r.U64())),
            r.Sequence(() => (InputType)r.Variant(7, "InputType")),
            ReadVisibility(r),
            ReadVisibility(r),
            ReadVisibility(r));
    }

    // ---------------------------------------------------------------- ops

    public static void WriteOp(BincodeWriter w, SupportedOp op)
    {
        w.U32((uint)op.Tag);
        switch (op)
        {
            case LinearOp l: WriteCircuitOp(w, l.Op); break;
            case NonlinearOp n: WriteCircuitOp(w, n.Op); break;
            case HybridOp h: WriteCircuitOp(w, h.Op); break;
            case InputOp i:
                w.I32(i.Scale);
                w.U32((uint)i.DatumType);
                w.Bool(i.Decomp);
                break;
            case ConstantOp c:
                WriteFieldTensor(w, c.QuantizedValues);
                w.Sequence(c.RawValues.Inner, w.F32);
                WriteTensorTail(w, c.RawValues.Dims, c.RawValues.Scale, c.RawValues.Visibility);
                w.Bool(c.Decomp);
                break;
            case UnknownOp:
                break;
            case RescaledOp s:
                WriteOp(w, s.Inner);
                w.Sequence(s.Scale, p => { w.U64(p.Input); w.U128(p.Multiplier); });
                break;
            case RebaseScaleOp b:
                WriteOp(w, b.Inner);
                WriteCircuitOp(w, b.RebaseOp, withoutTag: false);
                w.I32(b.TargetScale);
                w.I32(b.OriginalScale);
                w.F64(b.Multiplier);
                break;
            default:
                throw new InvalidOperationException("unknown op " + op.GetType().Name);
        }
    }

    private static SupportedOp ReadOp(BincodeReader r)
    {
        var tag = r.Variant(8, "SupportedOp");
        return tag switch
        {
            0 => new LinearOp(ReadCircuitOp(r, OpFamily.Poly)),
            1 => new NonlinearOp(ReadCircuitOp(r, OpFamily.Lookup)),
            2 => new HybridOp(ReadCircuitOp(r, OpFamily.Hybrid)),
            3 => new InputOp(r.I32(), (InputType)r.Variant(7, "InputType"), r.Bool()),
            4 => new ConstantOp(
                ReadFieldTensor(r),
                new FloatTensor([.. r.Sequence(r.F32)], [.. r.Sequence(r.U64)], r.Option(r.I32), r.OptionRef(() => ReadVisibility(r))),
                r.Bool()),
            5 => new UnknownOp(),
            6 => new RescaledOp(ReadOp(r), r.Sequence(() => (r.U64(), r.U128()))),
            _ => new RebaseScaleOp(ReadOp(r), ReadCircuitOp(r, OpFamily.Hybrid), r.I32(), r.I32(), r.F64()),
        };
    }

    public static void WriteCircuitOp(BincodeWriter w, CircuitOp op, bool withoutTag = false)
    {
        if (!withoutTag)
        {
            w.U32((uint)op.Variant.Index);
        }

        for (var i = 0; i < op.Variant.Fields.Count; i++)
        {
            WriteField(w, op.Variant.Fields[i].Kind, op.Values[i]);
        }
    }

    private static CircuitOp ReadCircuitOp(BincodeReader r, OpFamily family)
    {
        var variants = OpSchema.Of(family);
        var variant = variants[(int)r.Variant(variants.Count, family + "Op")];
        var values = new object?[variant.Fields.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ReadField(r, variant.Fields[i].Kind);
        }

        return new CircuitOp(variant, values);
    }

    private static void WriteField(BincodeWriter w, OpFieldKind kind, object? value)
    {
        switch (kind)
        {
            case OpFieldKind.F32: w.F32((float)value!); break;
            case OpFieldKind.I32: w.I32((int)value!); break;
            case OpFieldKind.U32: w.U32((uint)value!); break;
            case OpFieldKind.U64: w.U64((ulong)value!); break;
            case OpFieldKind.I64: w.I64((long)value!); break;
            case OpFieldKind.Bool: w.Bool((bool)value!); break;
            case OpFieldKind.Str: w.String((string)value!); break;
            case OpFieldKind.UsizeList: w.Sequence((ulong[])value!, w.U64); break;
            case OpFieldKind.Padding: w.Sequence(((ulong, ulong)[])value!, p => { w.U64(p.Item1); w.U64(p.Item2); }); break;
            case OpFieldKind.DataFormat:
            case OpFieldKind.KernelFormat: w.U32((uint)(int)value!); break;
            case OpFieldKind.OptionalI32: w.Option((int?)value, w.I32); break;
            case OpFieldKind.OptionalUsizeTensor:
                w.OptionRef((UsizeTensor?)value, t =>
                {
                    w.Sequence(t.Inner, w.U64);
                    WriteTensorTail(w, t.Dims, t.Scale, t.Visibility);
                });
                break;
            default: throw new InvalidOperationException(kind.ToString());
        }
    }

    private static object? ReadField(BincodeReader r, OpFieldKind kind) => kind switch
    {
        OpFieldKind.F32 => r.F32(),
        OpFieldKind.I32 => r.I32(),
        OpFieldKind.U32 => r.U32(),
        OpFieldKind.U64 => r.U64(),
        OpFieldKind.I64 => r.I64(),
        OpFieldKind.Bool => r.Bool(),
        OpFieldKind.Str => r.String(),
        OpFieldKind.UsizeList => r.Sequence(r.U64).ToArray(),
        OpFieldKind.Padding => r.Sequence(() => (r.U64(), r.U64())).ToArray(),
        OpFieldKind.DataFormat => (int)r.Variant(4, "DataFormat"),
        OpFieldKind.KernelFormat => (int)r.Variant(3, "KernelFormat"),
        OpFieldKind.OptionalI32 => r.Option(r.I32),
        OpFieldKind.OptionalUsizeTensor => r.OptionRef(() =>
            new UsizeTensor([.. r.Sequence(r.U64)], [.. r.Sequence(r.U64)], r.Option(r.I32), r.OptionRef(() => ReadVisibility(r)))),
        _ => throw new InvalidOperationException(kind.ToString()),
    };

    private static void WriteFieldTensor(BincodeWriter w, FieldTensor t)
    {
        w.Sequence(t.Inner, w.FieldElement);
        WriteTensorTail(w, t.Dims, t.Scale, t.Visibility);
    }

    private static FieldTensor ReadFieldTensor(BincodeReader r) =>
        new([.. r.Sequence(r.FieldElement)], [.. r.Sequence(r.U64)], r.Option(r.I32), r.OptionRef(() => ReadVisibility(r)));

    private static void WriteTensorTail(BincodeWriter w, ulong[] dims, int? scale, Visibility? visibility)
    {
        w.Sequence(dims, w.U64);
        w.Option(scale, w.I32);
        w.OptionRef(visibility, v => WriteVisibility(w, v));
    }

    public static void WriteVisibility(BincodeWriter w, Visibility v)
    {
        w.U32(v.BincodeIndex);
        if (v.IsHashed)
        {
            w.Bool(v.HashIsPublic);
            w.Sequence(v.Outlets, w.U64);
        }
    }

    private static Visibility ReadVisibility(BincodeReader r) => r.Variant(5, "Visibility") switch
    {
        0 => Visibility.Private,
        1 => Visibility.Public,
        2 => Visibility.Hashed(r.Bool(), r.Sequence(r.U64)),
        3 => Visibility.KzgCommit,
        _ => Visibility.Fixed,
    };

    // ---------------------------------------------------------------- settings

    private static void WriteSettings(BincodeWriter w, CircuitSettings s)
    {
        var a = s.RunArgs;
        w.I32(a.InputScale);
        w.I32(a.ParamScale);
        w.U32(checked((uint)a.ScaleRebaseMultiplier));
        w.I128(a.LookupRange.Min);
        w.I128(a.LookupRange.Max);
        w.U32(checked((uint)a.Logrows));
        w.U64(checked((ulong)a.NumInnerCols));
        w.Sequence(a.Variables, v => { w.String(v.Name); w.U64(checked((ulong)v.Value)); });
        WriteVisibility(w, a.InputVisibility);
        WriteVisibility(w, a.OutputVisibility);
        WriteVisibility(w, a.ParamVisibility);
        w.Bool(a.RebaseFracZeroConstants);
        w.U32(CheckModeIndex(a.CheckMode));
        w.OptionRef(a.Commitment, c => w.U32(c switch
        {
            "KZG" => 0u,
            "IPA" => 1u,
            _ => throw new CompiledCircuitFormatException($"commitment {c} is not KZG or IPA"),
        }));
        w.U64(checked((ulong)a.DecompBase));
        w.U64(checked((ulong)a.DecompLegs));
        w.Bool(a.BoundedLogLookup);
        w.Bool(a.IgnoreRangeCheckInputsOutputs);

        w.U64(checked((ulong)s.NumRows));
        w.U64(checked((ulong)s.TotalAssignments));
        w.U64(checked((ulong)s.TotalConstSize));
        w.U64(checked((ulong)s.TotalDynamicColSize));
        w.U64(checked((ulong)s.MaxDynamicInputLen));
        w.U64(checked((ulong)s.NumDynamicLookups));
        w.U64(checked((ulong)s.NumShuffles));
        w.U64(checked((ulong)s.TotalShuffleColSize));
        w.Sequence(s.ModelInstanceShapes, shape => w.Sequence(shape, d => w.U64(checked((ulong)d))));
        w.Sequence(s.ModelOutputScales, w.I32);
        w.Sequence(s.ModelInputScales, w.I32);
        var (polycommit, poseidonConstraints, poseidonInstances) = ModuleSizes(s);
        w.Sequence(polycommit, w.U64);
        w.U64(poseidonConstraints);
        w.Sequence(poseidonInstances, w.U64);
        w.Sequence(s.RequiredLookups, l => WriteCircuitOp(w, LookupOpJson.FromJson(l)));
        w.Sequence(s.RequiredRangeChecks, rc => { w.I128(rc.Min); w.I128(rc.Max); });
        w.U32(CheckModeIndex(s.CheckMode));
        w.String(s.Version);
        w.Option(s.NumBlindingFactors is { } nbf ? checked((ulong)nbf) : (ulong?)null, w.U64);
        w.Option(s.Timestamp is { } ts ? checked((UInt128)ts) : (UInt128?)null, w.U128);
        w.OptionRef(s.InputTypes, t => w.Sequence(t, x => w.U32((uint)ParseInputType(x))));
        w.OptionRef(s.OutputTypes, t => w.Sequence(t, x => w.U32((uint)ParseInputType(x))));
    }

    private static CircuitSettings ReadSettings(BincodeReader r)
    {
        var runArgs = new RunArgs
        {
            InputScale = r.I32(),
            ParamScale = r.I32(),
            ScaleRebaseMultiplier = checked((int)r.U32()),
            LookupRange = new IntRange(checked((long)r.I128()), checked((long)r.I128())),
            Logrows = checked((int)r.U32()),
            NumInnerCols = checked((int)r.U64()),
            Variables = [.. r.Sequence(() => new CircuitVariable(r.String(), checked((long)r.U64())))],
            InputVisibility = ReadVisibility(r),
            OutputVisibility = ReadVisibility(r),
            ParamVisibility = ReadVisibility(r),
            RebaseFracZeroConstants = r.Bool(),
            CheckMode = ReadCheckMode(r),
            Commitment = r.OptionRef(() => r.Variant(2, "Commitments") == 0 ? "KZG" : "IPA"),
            DecompBase = checked((long)r.U64()),
            DecompLegs = checked((int)r.U64()),
            BoundedLogLookup = r.Bool(),
            IgnoreRangeCheckInputsOutputs = r.Bool(),
        };
        var settings = new CircuitSettings
        {
            RunArgs = runArgs,
            NumRows = checked((long)r.U64()),
            TotalAssignments = checked((long)r.U64()),
            TotalConstSize = checked((long)r.U64()),
            TotalDynamicColSize = checked((long)r.U64()),
            MaxDynamicInputLen = checked((long)r.U64()),
            NumDynamicLookups = checked((long)r.U64()),
            NumShuffles = checked((long)r.U64()),
            TotalShuffleColSize = checked((long)r.U64()),
            ModelInstanceShapes = [.. r.Sequence(() => r.Sequence(() => checked((long)r.U64())).ToList())],
            ModelOutputScales = [.. r.Sequence(r.I32)],
            ModelInputScales = [.. r.Sequence(r.I32)],
        };
        var polycommit = r.Sequence(r.U64);
        var poseidonConstraints = r.U64();
        var poseidonInstances = r.Sequence(r.U64);
        settings.ModuleSizes = new JsonObject
        {
            ["polycommit"] = new JsonArray([.. polycommit.Select(v => (JsonNode?)JsonValue.Create(v))]),
            ["poseidon"] = new JsonArray(JsonValue.Create(poseidonConstraints), new JsonArray([.. poseidonInstances.Select(v => (JsonNode?)JsonValue.Create(v))])),
        };
        settings.RequiredLookups = [.. r.Sequence(() => (JsonNode?)LookupOpJson.ToJson(ReadCircuitOp(r, OpFamily.Lookup)))];
        settings.RequiredRangeChecks = [.. r.Sequence(() => new IntRange(checked((long)r.I128()), checked((long)r.I128())))];
        settings.CheckMode = ReadCheckMode(r);
        settings.Version = r.String();
        settings.NumBlindingFactors = r.Option(r.U64) is { } nbf ? checked((int)nbf) : null;
        settings.Timestamp = r.Option(r.U128) is { } ts ? checked((long)ts) : null;
        settings.InputTypes = r.OptionRef(() => r.Sequence(() => (JsonNode?)JsonValue.Create(((InputType)r.Variant(7, "InputType")).ToString())).ToList());
        settings.OutputTypes = r.OptionRef(() => r.Sequence(() => (JsonNode?)JsonValue.Create(((InputType)r.Variant(7, "InputType")).ToString())).ToList());
        return settings;
    }

    private static uint CheckModeIndex(CheckMode mode) => mode == CheckMode.Safe ? 0u : 1u;

    private static CheckMode ReadCheckMode(BincodeReader r) => r.Variant(2, "CheckMode") == 0 ? CheckMode.Safe : CheckMode.Unsafe;

    private static InputType ParseInputType(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var name) && Enum.TryParse<InputType>(name, out var type)
            ? type
            : throw new CompiledCircuitFormatException($"input/output type {node?.ToJsonString()} is not an ezkl 21 InputType");

    private static (IReadOnlyList<ulong> Polycommit, ulong PoseidonConstraints, IReadOnlyList<ulong> PoseidonInstances) ModuleSizes(CircuitSettings s)
    {
        try
        {
            var polycommit = s.ModuleSizes["polycommit"]!.AsArray().Select(x => x!.GetValue<ulong>()).ToList();
            var poseidon = s.ModuleSizes["poseidon"]!.AsArray();
            return (polycommit, poseidon[0]!.GetValue<ulong>(), poseidon[1]!.AsArray().Select(x => x!.GetValue<ulong>()).ToList());
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or NullReferenceException or ArgumentOutOfRangeException)
        {
            throw new CompiledCircuitFormatException($"module_sizes {s.ModuleSizes.ToJsonString()} is not ezkl 21's form", ex);
        }
    }

    // ---------------------------------------------------------------- witness placeholder

    private static void WriteWitness(BincodeWriter w, EmbeddedWitness g)
    {
        w.Sequence(g.Inputs, v => w.Sequence(v, w.FieldElement));
        w.U8(0); // pretty_elements: None
        w.Sequence(g.Outputs, v => w.Sequence(v, w.FieldElement));
        w.U8(0); // processed_inputs: None
        w.U8(0); // processed_params: None
        w.U8(0); // processed_outputs: None
        w.I128(g.MaxLookupInputs);
        w.I128(g.MinLookupInputs);
        w.I128(g.MaxRangeSize);
        w.OptionRef(g.Version, w.String);
    }

    private static EmbeddedWitness ReadWitness(BincodeReader r)
    {
        var inputs = r.Sequence(() => r.Sequence(r.FieldElement).ToArray());
        RequireNone(r, "pretty_elements");
        var outputs = r.Sequence(() => r.Sequence(r.FieldElement).ToArray());
        RequireNone(r, "processed_inputs");
        RequireNone(r, "processed_params");
        RequireNone(r, "processed_outputs");
        return new EmbeddedWitness(inputs, outputs, r.I128(), r.I128(), r.I128(), r.OptionRef(r.String));
    }

    private static void RequireNone(BincodeReader r, string field)
    {
        var at = r.Position;
        if (r.U8() != 0)
        {
            throw new CompiledCircuitFormatException($"the embedded witness has {field} set at offset {at}; compiled circuits carry a placeholder witness");
        }
    }
}
