using Google.Protobuf;
using Zkml.Ezkl.Onnx.Proto;

namespace Zkml.Ezkl.Onnx;

/// <summary>
/// Writes small ONNX models with known weights: tests, samples and tools use it to make models
/// that both the compiler and ONNX Runtime can run. Tensor names are returned by each call so
/// layers chain naturally. Weights are stored as raw little-endian f32 initializers.
/// </summary>
/// <example>
/// <code>
/// var b = new OnnxModelBuilder();
/// var x = b.AddInput("input", [1, 3]);
/// var h = b.Relu(b.Gemm(x, weights1, bias1));
/// b.AddOutput(b.Gemm(h, weights2, bias2), "output");
/// File.WriteAllBytes("network.onnx", b.ToBytes());
/// </code>
/// </example>
public sealed class OnnxModelBuilder
{
    private readonly GraphProto _graph;
    private readonly Dictionary<string, long[]> _shapes = new(StringComparer.Ordinal);
    private readonly int _opset;
    private int _counter;

    /// <summary>Starts an empty model.</summary>
    /// <param name="graphName">The graph's name.</param>
    /// <param name="opset">The default-domain opset to import (13 by default).</param>
    public OnnxModelBuilder(string graphName = "zkml", int opset = 13)
    {
        _graph = new GraphProto { Name = graphName };
        _opset = opset;
    }

    /// <summary>Adds a float graph input.</summary>
    /// <param name="name">The input's name.</param>
    /// <param name="shape">Its shape; the first dimension is written symbolically when <paramref name="symbolicBatch"/> is set.</param>
    /// <param name="symbolicBatch">The name of a symbolic first dimension (ezkl fills it with the <c>batch_size</c> variable), or null.</param>
    /// <returns>The input's tensor name.</returns>
    public string AddInput(string name, long[] shape, string? symbolicBatch = null)
    {
        _graph.Input.Add(ValueInfo(name, shape, symbolicBatch));
        _shapes[name] = shape;
        return name;
    }

    /// <summary>Adds an int64 graph input (for example token ids that feed a Gather).</summary>
    /// <param name="name">The input's name.</param>
    /// <param name="shape">Its shape.</param>
    /// <returns>The input's tensor name.</returns>
    public string AddInt64Input(string name, long[] shape)
    {
        var info = ValueInfo(name, shape, null);
        info.Type.TensorType.ElemType = (int)TensorProto.Types.DataType.Int64;
        _graph.Input.Add(info);
        _shapes[name] = shape;
        return name;
    }

    /// <summary>Marks a tensor as a graph output.</summary>
    /// <param name="tensor">The tensor to output.</param>
    /// <param name="name">The output's name; an Identity node renames the tensor when it differs.</param>
    /// <param name="symbolicBatch">The name of a symbolic first dimension, or null.</param>
    /// <returns>The output's name.</returns>
    public string AddOutput(string tensor, string? name = null, string? symbolicBatch = null)
    {
        var shape = ShapeOf(tensor);
        if (name is not null && name != tensor)
        {
            tensor = AddNode("Identity", [tensor], shape, outputName: name);
        }

        _graph.Output.Add(ValueInfo(tensor, shape, symbolicBatch));
        return tensor;
    }

    /// <summary>Adds an f32 initializer.</summary>
    /// <param name="name">Its name.</param>
    /// <param name="values">Row-major values.</param>
    /// <param name="shape">Its shape.</param>
    /// <returns>The initializer's tensor name.</returns>
    public string AddInitializer(string name, ReadOnlySpan<float> values, params long[] shape)
    {
        if (values.Length != shape.Aggregate(1L, (p, d) => p * d))
        {
            throw new ArgumentException($"{values.Length} values do not fill shape [{string.Join(",", shape)}]", nameof(values));
        }

        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(shape);
        var raw = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BitConverter.TryWriteBytes(raw.AsSpan(i * 4), values[i]);
        }

        tensor.RawData = ByteString.CopyFrom(raw);
        _graph.Initializer.Add(tensor);
        _shapes[name] = shape;
        return name;
    }

    /// <summary>Adds an int64 initializer (shapes, axes).</summary>
    /// <param name="name">Its name.</param>
    /// <param name="values">The values, as a 1-D tensor.</param>
    /// <returns>The initializer's tensor name.</returns>
    public string AddInt64Initializer(string name, params long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        _graph.Initializer.Add(tensor);
        _shapes[name] = [values.Length];
        return name;
    }

    /// <summary>Adds any node. Attribute values may be float, int, long, string, float[], int[] or long[].</summary>
    /// <param name="opType">The ONNX op type.</param>
    /// <param name="inputs">Input tensor names ("" for an omitted optional input).</param>
    /// <param name="outputShape">The output's shape (recorded for later calls and graph outputs).</param>
    /// <param name="attributes">Attributes by name.</param>
    /// <param name="outputName">The output tensor's name; generated when null.</param>
    /// <returns>The output tensor's name.</returns>
    public string AddNode(string opType, IReadOnlyList<string> inputs, long[] outputShape, IReadOnlyDictionary<string, object>? attributes = null, string? outputName = null)
    {
        var index = _counter++;
        outputName ??= $"{opType.ToLowerInvariant()}_{index}";
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{index}" };
        node.Input.AddRange(inputs);
        node.Output.Add(outputName);
        foreach (var (key, value) in attributes ?? new Dictionary<string, object>())
        {
            node.Attribute.Add(Attribute(key, value));
        }

        _graph.Node.Add(node);
        _shapes[outputName] = outputShape;
        return outputName;
    }

    /// <summary>Adds a node with several outputs (for example Split), named after the node.</summary>
    /// <param name="opType">The ONNX op type.</param>
    /// <param name="inputs">The input tensor names.</param>
    /// <param name="outputShapes">The shape of each output.</param>
    /// <param name="attributes">Attributes (float, int, long, string, float[], int[], long[]).</param>
    /// <returns>The output tensor names, in order.</returns>
    public IReadOnlyList<string> AddNode(string opType, IReadOnlyList<string> inputs, IReadOnlyList<long[]> outputShapes, IReadOnlyDictionary<string, object>? attributes = null)
    {
        ArgumentNullException.ThrowIfNull(outputShapes);
        var index = _counter++;
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{index}" };
        node.Input.AddRange(inputs);
        var names = new List<string>();
        for (var k = 0; k < outputShapes.Count; k++)
        {
            var name = $"{opType.ToLowerInvariant()}_{index}_{k}";
            node.Output.Add(name);
            _shapes[name] = outputShapes[k];
            names.Add(name);
        }

        foreach (var (key, value) in attributes ?? new Dictionary<string, object>())
        {
            node.Attribute.Add(Attribute(key, value));
        }

        _graph.Node.Add(node);
        return names;
    }

    /// <summary>The shape recorded for a tensor.</summary>
    /// <param name="tensor">The tensor's name.</param>
    /// <returns>Its shape.</returns>
    public long[] ShapeOf(string tensor) =>
        _shapes.TryGetValue(tensor, out var shape) ? shape : throw new ArgumentException($"unknown tensor '{tensor}'", nameof(tensor));

    /// <summary>A fully connected layer <c>y = x · Wᵀ + b</c> (Gemm with transB = 1).</summary>
    /// <param name="input">A rank-2 input [batch, in].</param>
    /// <param name="weights">Weights [out, in].</param>
    /// <param name="bias">Bias [out], or null.</param>
    /// <returns>The output tensor [batch, out].</returns>
    public string Gemm(string input, float[,] weights, float[]? bias)
    {
        var (outFeatures, inFeatures) = (weights.GetLength(0), weights.GetLength(1));
        var w = AddInitializer(Fresh("W"), Flatten(weights), outFeatures, inFeatures);
        var inputs = new List<string> { input, w };
        if (bias is not null)
        {
            inputs.Add(AddInitializer(Fresh("b"), bias, outFeatures));
        }

        return AddNode("Gemm", inputs, [ShapeOf(input)[0], outFeatures], new Dictionary<string, object> { ["alpha"] = 1f, ["beta"] = 1f, ["transB"] = 1L });
    }

    /// <summary>A MatMul by a constant right-hand side; batch dimensions of the input are kept.</summary>
    /// <param name="input">The left operand [..., m, k].</param>
    /// <param name="weights">The right operand values, row-major.</param>
    /// <param name="shape">The right operand's shape [k, n] or [..., k, n].</param>
    /// <returns>The product.</returns>
    public string MatMul(string input, float[] weights, long[] shape)
    {
        var w = AddInitializer(Fresh("M"), weights, shape);
        return MatMul(input, w);
    }

    /// <summary>A MatMul of two tensors (numpy semantics, equal batch dimensions).</summary>
    /// <param name="left">The left operand [..., m, k].</param>
    /// <param name="right">The right operand [..., k, n].</param>
    /// <returns>The product.</returns>
    public string MatMul(string left, string right)
    {
        var a = ShapeOf(left);
        var b = ShapeOf(right);
        var batch = a.Length >= b.Length ? a[..^2] : b[..^2];
        return AddNode("MatMul", [left, right], [.. batch, a[^2], b[^1]]);
    }

    /// <summary>Adds a constant tensor to <paramref name="input"/> (numpy broadcasting).</summary>
    /// <param name="input">The input.</param>
    /// <param name="values">The constant's values.</param>
    /// <param name="shape">The constant's shape.</param>
    /// <returns>The sum.</returns>
    public string AddConstant(string input, float[] values, params long[] shape)
    {
        var c = AddInitializer(Fresh("c"), values, shape);
        return AddNode("Add", [input, c], Broadcast(ShapeOf(input), shape));
    }

    /// <summary>Element-wise Relu.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The output.</returns>
    public string Relu(string input) => AddNode("Relu", [input], ShapeOf(input));

    /// <summary>Element-wise Sigmoid.</summary>
    /// <param name="input">The input.</param>
    /// <returns>The output.</returns>
    public string Sigmoid(string input) => AddNode("Sigmoid", [input], ShapeOf(input));

    /// <summary>A 2-D convolution over NCHW input.</summary>
    /// <param name="input">The input [N, C, H, W].</param>
    /// <param name="kernel">Kernel values, OIHW row-major.</param>
    /// <param name="kernelShape">[out channels, in channels / group, kh, kw].</param>
    /// <param name="bias">Bias per output channel, or null.</param>
    /// <param name="stride">Stride in both spatial dimensions.</param>
    /// <param name="padding">Zero padding on every side.</param>
    /// <param name="group">Number of groups.</param>
    /// <returns>The output [N, O, H', W'].</returns>
    public string Conv(string input, float[] kernel, long[] kernelShape, float[]? bias, long stride = 1, long padding = 0, long group = 1)
    {
        var x = ShapeOf(input);
        var w = AddInitializer(Fresh("K"), kernel, kernelShape);
        var inputs = new List<string> { input, w };
        if (bias is not null)
        {
            inputs.Add(AddInitializer(Fresh("kb"), bias, kernelShape[0]));
        }

        long Out(long size, long k) => ((size + (2 * padding) - k) / stride) + 1;
        return AddNode("Conv", inputs, [x[0], kernelShape[0], Out(x[2], kernelShape[2]), Out(x[3], kernelShape[3])], new Dictionary<string, object>
        {
            ["kernel_shape"] = new[] { kernelShape[2], kernelShape[3] },
            ["strides"] = new[] { stride, stride },
            ["pads"] = new[] { padding, padding, padding, padding },
            ["group"] = group,
        });
    }

    /// <summary>AveragePool with a square window and no padding.</summary>
    /// <param name="input">The input [N, C, H, W].</param>
    /// <param name="kernel">Window size.</param>
    /// <param name="stride">Stride.</param>
    /// <returns>The output.</returns>
    public string AveragePool(string input, long kernel, long stride)
    {
        var x = ShapeOf(input);
        return AddNode("AveragePool", [input], [x[0], x[1], ((x[2] - kernel) / stride) + 1, ((x[3] - kernel) / stride) + 1], new Dictionary<string, object>
        {
            ["kernel_shape"] = new[] { kernel, kernel },
            ["strides"] = new[] { stride, stride },
        });
    }

    /// <summary>BatchNormalization in inference mode.</summary>
    /// <param name="input">The input [N, C, ...].</param>
    /// <param name="scale">γ per channel.</param>
    /// <param name="bias">β per channel.</param>
    /// <param name="mean">Running mean per channel.</param>
    /// <param name="variance">Running variance per channel.</param>
    /// <param name="epsilon">ε.</param>
    /// <returns>The normalized output.</returns>
    public string BatchNormalization(string input, float[] scale, float[] bias, float[] mean, float[] variance, float epsilon = 1e-5f)
    {
        var c = scale.Length;
        var names = new[] { scale, bias, mean, variance }.Select((v, i) => AddInitializer(Fresh("bn" + i), v, c)).ToArray();
        return AddNode("BatchNormalization", [input, .. names], ShapeOf(input), new Dictionary<string, object> { ["epsilon"] = epsilon });
    }

    /// <summary>Flatten to [N, rest].</summary>
    /// <param name="input">The input.</param>
    /// <returns>The output.</returns>
    public string Flatten(string input)
    {
        var x = ShapeOf(input);
        return AddNode("Flatten", [input], [x[0], x[1..].Aggregate(1L, (p, d) => p * d)], new Dictionary<string, object> { ["axis"] = 1L });
    }

    /// <summary>The serialized ModelProto.</summary>
    /// <returns>ONNX bytes.</returns>
    public byte[] ToBytes()
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "Zkml.Ezkl", Graph = _graph.Clone() };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = _opset });
        return model.ToByteArray();
    }

    private string Fresh(string prefix) => $"{prefix}{_counter++}";

    private static long[] Broadcast(long[] a, long[] b) =>
        ShapeMath.Broadcast(a, b) ?? throw new ArgumentException($"shapes [{string.Join(",", a)}] and [{string.Join(",", b)}] do not broadcast");

    private static float[] Flatten(float[,] values)
    {
        var result = new float[values.Length];
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(float));
        return result;
    }

    private static ValueInfoProto ValueInfo(string name, long[] shape, string? symbolicBatch)
    {
        var tensorShape = new TensorShapeProto();
        for (var i = 0; i < shape.Length; i++)
        {
            tensorShape.Dim.Add(i == 0 && symbolicBatch is not null
                ? new TensorShapeProto.Types.Dimension { DimParam = symbolicBatch }
                : new TensorShapeProto.Types.Dimension { DimValue = shape[i] });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape } },
        };
    }

    private static AttributeProto Attribute(string name, object value)
    {
        var a = new AttributeProto { Name = name };
        switch (value)
        {
            case float f:
                a.Type = AttributeProto.Types.AttributeType.Float;
                a.F = f;
                break;
            case int i:
                a.Type = AttributeProto.Types.AttributeType.Int;
                a.I = i;
                break;
            case long l:
                a.Type = AttributeProto.Types.AttributeType.Int;
                a.I = l;
                break;
            case string s:
                a.Type = AttributeProto.Types.AttributeType.String;
                a.S = ByteString.CopyFromUtf8(s);
                break;
            case float[] fs:
                a.Type = AttributeProto.Types.AttributeType.Floats;
                a.Floats.AddRange(fs);
                break;
            case int[] ints:
                a.Type = AttributeProto.Types.AttributeType.Ints;
                a.Ints.AddRange(ints.Select(x => (long)x));
                break;
            case long[] longs:
                a.Type = AttributeProto.Types.AttributeType.Ints;
                a.Ints.AddRange(longs);
                break;
            default:
                throw new ArgumentException($"attribute {name} has an unsupported value type {value.GetType().Name}", nameof(value));
        }

        return a;
    }
}
