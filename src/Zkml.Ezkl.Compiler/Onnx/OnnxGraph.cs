using Google.Protobuf;
using Zkml.Ezkl.Compilation;
using Zkml.Ezkl.Onnx.Proto;

namespace Zkml.Ezkl.Onnx;

/// <summary>The element kinds the compiler distinguishes: floats are quantized, integers and bools are not.</summary>
internal enum ElementKind
{
    Float,
    Integer,
    Bool,
}

/// <summary>A dense tensor of known values, row-major. Doubles hold every f32 and every integer
/// below 2^53 exactly, which covers weights, shapes and axes.</summary>
internal sealed class DenseTensor
{
    public DenseTensor(long[] shape, double[] data, ElementKind kind)
    {
        if (ShapeMath.Size(shape) != data.Length)
        {
            throw new OnnxModelException($"tensor of shape [{string.Join(",", shape)}] has {data.Length} values");
        }

        Shape = shape;
        Data = data;
        Kind = kind;
    }

    public long[] Shape { get; }

    public double[] Data { get; }

    public ElementKind Kind { get; }

    public long[] AsLongs() => Data.Select(d => (long)d).ToArray();

    public DenseTensor Reshaped(long[] shape) => new(shape, Data, Kind);
}

/// <summary>A graph input or output: its name, element kind and dimensions (a null dimension is symbolic).</summary>
internal sealed record OnnxValue(string Name, ElementKind Kind, IReadOnlyList<long?> Dims, IReadOnlyList<string?> DimParams);

/// <summary>An ONNX node with its attributes decoded.</summary>
internal sealed class OnnxNode
{
    public required string Name { get; init; }

    public required string OpType { get; init; }

    public required IReadOnlyList<string> Inputs { get; init; }

    public required IReadOnlyList<string> Outputs { get; init; }

    public required IReadOnlyDictionary<string, AttributeProto> Attributes { get; init; }

    public long Int(string name, long fallback) => Attributes.TryGetValue(name, out var a) ? a.I : fallback;

    public float Float(string name, float fallback) => Attributes.TryGetValue(name, out var a) ? a.F : fallback;

    public long[]? Ints(string name) => Attributes.TryGetValue(name, out var a) ? a.Ints.ToArray() : null;

    public string? String(string name) => Attributes.TryGetValue(name, out var a) ? a.S.ToStringUtf8() : null;

    public DenseTensor? Tensor(string name) => Attributes.TryGetValue(name, out var a) && a.T is not null ? OnnxGraph.ToDense(a.T) : null;

    /// <summary>Inputs that are present (ONNX marks an omitted optional input with an empty name).</summary>
    public int PresentInputCount => Inputs.Count(i => i.Length > 0);

    public string Describe => $"{OpType} node '{Name}'";
}

/// <summary>The parts of an ONNX model the compiler uses, read and checked.</summary>
internal sealed class OnnxGraph
{
    public required IReadOnlyList<OnnxValue> Inputs { get; init; }

    public required IReadOnlyList<OnnxValue> Outputs { get; init; }

    public required IReadOnlyDictionary<string, DenseTensor> Initializers { get; init; }

    public required IReadOnlyList<OnnxNode> Nodes { get; init; }

    public required long Opset { get; init; }

    public static OnnxGraph Parse(ReadOnlySpan<byte> bytes)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new OnnxModelException("not an ONNX model (protobuf parse failed): " + ex.Message, ex);
        }

        if (model.Graph is null || (model.Graph.Node.Count == 0 && model.Graph.Output.Count == 0))
        {
            throw new OnnxModelException("the ONNX model has no graph");
        }

        var opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        if (opset == 0)
        {
            throw new OnnxModelException("the ONNX model imports no default-domain opset");
        }

        if (model.OpsetImport.FirstOrDefault(o => o.Domain is not ("" or "ai.onnx")) is { } foreign &&
            model.Graph.Node.Any(n => n.Domain == foreign.Domain))
        {
            throw new OnnxModelException($"the ONNX model uses operators from domain '{foreign.Domain}', which Zkml does not support");
        }

        var graph = model.Graph;
        var initializers = new Dictionary<string, DenseTensor>(StringComparer.Ordinal);
        foreach (var t in graph.Initializer)
        {
            initializers[t.Name] = ToDense(t);
        }

        var inputs = graph.Input.Where(i => !initializers.ContainsKey(i.Name)).Select(ToValue).ToList();
        if (inputs.Count == 0)
        {
            throw new OnnxModelException("the ONNX graph has no inputs");
        }

        var outputs = graph.Output.Select(ToValue).ToList();
        if (outputs.Count == 0)
        {
            throw new OnnxModelException("the ONNX graph has no outputs");
        }

        var nodes = graph.Node.Select((n, i) => new OnnxNode
        {
            Name = n.Name.Length > 0 ? n.Name : $"{n.OpType}_{i}",
            OpType = n.OpType,
            Inputs = n.Input.ToArray(),
            Outputs = n.Output.ToArray(),
            Attributes = n.Attribute.GroupBy(a => a.Name).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal),
        }).ToList();

        return new OnnxGraph { Inputs = inputs, Outputs = outputs, Initializers = initializers, Nodes = nodes, Opset = opset };
    }

    private static OnnxValue ToValue(ValueInfoProto v)
    {
        if (v.Type?.TensorType is not { } tensorType)
        {
            throw new OnnxModelException($"graph value '{v.Name}' is not a tensor or has no type");
        }

        var dims = new List<long?>();
        var parameters = new List<string?>();
        foreach (var d in tensorType.Shape?.Dim ?? [])
        {
            if (d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0)
            {
                dims.Add(d.DimValue);
                parameters.Add(null);
            }
            else
            {
                dims.Add(null);
                parameters.Add(d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam ? d.DimParam : null);
            }
        }

        return new OnnxValue(v.Name, KindOf(tensorType.ElemType, v.Name), dims, parameters);
    }

    private static ElementKind KindOf(int dataType, string name) => (TensorProto.Types.DataType)dataType switch
    {
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Float16 => ElementKind.Float,
        TensorProto.Types.DataType.Bool => ElementKind.Bool,
        TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Int64
            or TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Uint16 or TensorProto.Types.DataType.Uint32 or TensorProto.Types.DataType.Uint64 => ElementKind.Integer,
        var other => throw new OnnxModelException($"tensor '{name}' has element type {other}, which Zkml does not support"),
    };

    /// <summary>Reads an initializer or constant in any of ONNX's storage forms.</summary>
    internal static DenseTensor ToDense(TensorProto t)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External || t.ExternalData.Count > 0)
        {
            throw new OnnxModelException($"tensor '{t.Name}' stores its data in an external file; save the model with its weights embedded (onnx.save(..., save_as_external_data=False))");
        }

        var shape = t.Dims.ToArray();
        if (shape.Any(d => d < 0))
        {
            throw new OnnxModelException($"tensor '{t.Name}' has a negative dimension");
        }

        var count = ShapeMath.Size(shape);
        var type = (TensorProto.Types.DataType)t.DataType;
        var kind = KindOf(t.DataType, t.Name);
        double[] data;
        if (!t.RawData.IsEmpty)
        {
            data = FromRaw(t.RawData.Span, type, t.Name);
        }
        else
        {
            data = type switch
            {
                TensorProto.Types.DataType.Float => t.FloatData.Select(f => (double)f).ToArray(),
                TensorProto.Types.DataType.Double => t.DoubleData.ToArray(),
                TensorProto.Types.DataType.Int64 => t.Int64Data.Select(v => (double)v).ToArray(),
                TensorProto.Types.DataType.Uint64 or TensorProto.Types.DataType.Uint32 => t.Uint64Data.Select(v => (double)v).ToArray(),
                TensorProto.Types.DataType.Float16 => t.Int32Data.Select(v => (double)BitConverter.UInt16BitsToHalf((ushort)v)).ToArray(),
                _ => t.Int32Data.Select(v => (double)v).ToArray(),
            };
        }

        if (data.Length != count)
        {
            throw new OnnxModelException($"tensor '{t.Name}' of shape [{string.Join(",", shape)}] holds {data.Length} values instead of {count}");
        }

        if (kind == ElementKind.Float)
        {
            // ezkl reads weights as f32; double/half weights are narrowed the same way.
            for (var i = 0; i < data.Length; i++)
            {
                data[i] = (float)data[i];
            }
        }

        return new DenseTensor(shape, data, kind);
    }

    private static double[] FromRaw(ReadOnlySpan<byte> raw, TensorProto.Types.DataType type, string name)
    {
        int width = type switch
        {
            TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => 4,
            TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 => 8,
            TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Uint16 => 2,
            _ => 1,
        };
        if (raw.Length % width != 0)
        {
            throw new OnnxModelException($"tensor '{name}' has {raw.Length} raw bytes, not a multiple of {width}");
        }

        var result = new double[raw.Length / width];
        for (var i = 0; i < result.Length; i++)
        {
            var s = raw.Slice(i * width, width);
            result[i] = type switch
            {
                TensorProto.Types.DataType.Float => BitConverter.ToSingle(s),
                TensorProto.Types.DataType.Double => BitConverter.ToDouble(s),
                TensorProto.Types.DataType.Int32 => BitConverter.ToInt32(s),
                TensorProto.Types.DataType.Uint32 => BitConverter.ToUInt32(s),
                TensorProto.Types.DataType.Int64 => BitConverter.ToInt64(s),
                TensorProto.Types.DataType.Uint64 => BitConverter.ToUInt64(s),
                TensorProto.Types.DataType.Float16 => (double)BitConverter.ToHalf(s),
                TensorProto.Types.DataType.Int16 => BitConverter.ToInt16(s),
                TensorProto.Types.DataType.Uint16 => BitConverter.ToUInt16(s),
                TensorProto.Types.DataType.Int8 => (sbyte)s[0],
                _ => s[0],
            };
        }

        return result;
    }
}

/// <summary>Shape arithmetic shared by the reader, the normalizer and the layout model.</summary>
internal static class ShapeMath
{
    public static long Size(IReadOnlyList<long> shape)
    {
        long size = 1;
        foreach (var d in shape)
        {
            size *= d;
        }

        return size;
    }

    /// <summary>numpy broadcasting of two shapes, or null if they do not broadcast.</summary>
    public static long[]? Broadcast(IReadOnlyList<long> a, IReadOnlyList<long> b)
    {
        var rank = Math.Max(a.Count, b.Count);
        var result = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var x = i - (rank - a.Count) >= 0 ? a[i - (rank - a.Count)] : 1;
            var y = i - (rank - b.Count) >= 0 ? b[i - (rank - b.Count)] : 1;
            if (x != y && x != 1 && y != 1)
            {
                return null;
            }

            result[i] = Math.Max(x, y);
        }

        return result;
    }

    public static long[] Strides(IReadOnlyList<long> shape)
    {
        var strides = new long[shape.Count];
        long s = 1;
        for (var i = shape.Count - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= shape[i];
        }

        return strides;
    }
}
