using Zkml.Ezkl.Compilation.Circuit;
using Zkml.Ezkl.Onnx;

namespace Zkml.Ezkl.Compilation.Normalization;

/// <summary>
/// Turns an ONNX graph into the normalized graph ezkl sees after tract's typing and declutter: Gemm
/// and MatMul become EinSum (+ bias Add), Relu becomes Max with a zero constant, shape ops become
/// Reshape / MoveAxis, Identity and Dropout vanish, BatchNormalization folds into a preceding Conv
/// (or becomes Mul + Add), AveragePool becomes SumPool, and every op whose inputs are all constants
/// is folded. Symbolic input dimensions take the value of the <c>batch_size</c> variable.
/// </summary>
internal sealed partial class OnnxNormalizer
{
    /// <summary>The ONNX op types the compiler supports.</summary>
    public static IReadOnlyList<string> SupportedOperators { get; } =
    [
        "Acos", "Acosh", "Add", "Asin", "Asinh", "Atan", "Atanh", "AveragePool", "BatchNormalization", "Cast", "Concat",
        "Constant", "ConstantOfShape", "Conv", "Cos", "Cosh", "Div", "Dropout", "Erf", "Exp", "Expand", "Flatten", "Gather",
        "Gemm", "GlobalAveragePool", "HardSwish", "Identity", "LeakyRelu", "Log", "MatMul", "Mul", "Pad", "Range",
        "ReduceMean", "ReduceSum", "Relu", "Reshape", "Shape", "Sigmoid", "Sin", "Sinh", "Slice", "Softplus", "Split",
        "Squeeze", "Sub", "Tan", "Tanh", "Transpose", "Unsqueeze", "Abs", "And", "Clip", "Equal", "Greater",
        "GreaterOrEqual", "HardSigmoid", "Less", "LessOrEqual", "Max", "Min", "Neg", "Not", "Or", "PRelu", "Sign", "Where",
        "Xor", "ArgMax", "ArgMin", "GlobalMaxPool", "MaxPool", "ReduceMax", "ReduceMin", "LayerNormalization", "Pow",
        "Reciprocal", "Softmax", "Sqrt", "Celu", "Elu", "InstanceNormalization", "ReduceL1", "ReduceL2",
        "ReduceLogSumExp", "ReduceSumSquare", "Selu", "Softsign", "TopK",
    ];

    private readonly OnnxGraph _graph;
    private readonly Dictionary<string, TypedNode> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _consumers = new(StringComparer.Ordinal);
    private readonly long _batchSize;
    private readonly bool _boundedLogLookup;

    private OnnxNormalizer(OnnxGraph graph, long batchSize, bool boundedLogLookup)
    {
        _graph = graph;
        _batchSize = batchSize;
        _boundedLogLookup = boundedLogLookup;
        foreach (var node in graph.Nodes)
        {
            foreach (var input in node.Inputs.Where(i => i.Length > 0))
            {
                _consumers[input] = _consumers.GetValueOrDefault(input) + 1;
            }
        }

        foreach (var output in graph.Outputs)
        {
            _consumers[output.Name] = _consumers.GetValueOrDefault(output.Name) + 1;
        }
    }

    public static TypedGraph Normalize(OnnxGraph graph, RunArgs runArgs)
    {
        var batch = (long)(runArgs.Variable("batch_size") ?? 1);
        return new OnnxNormalizer(graph, batch, runArgs.BoundedLogLookup).Run();
    }

    private TypedGraph Run()
    {
        var sources = new List<TypedNode>();
        foreach (var input in _graph.Inputs)
        {
            var shape = input.Dims.Select(d => d ?? _batchSize).ToArray();
            var source = new TypedNode { Kind = TypedKind.Source, Inputs = [], Shape = shape, Origin = input.Name, ElementKind = input.Kind };
            sources.Add(source);
            _values[input.Name] = source;
        }

        foreach (var node in _graph.Nodes)
        {
            var outputs = Lower(node);
            for (var i = 0; i < outputs.Count && i < node.Outputs.Count; i++)
            {
                _values[node.Outputs[i]] = outputs[i];
            }
        }

        var results = _graph.Outputs.Select(o => Value(o.Name, "graph output")).ToList();
        foreach (var (declared, actual) in _graph.Outputs.Zip(results))
        {
            if (declared.Dims.Count > 0 && declared.Dims.Count != actual.Shape.Length)
            {
                throw new OnnxModelException($"output '{declared.Name}' is declared with rank {declared.Dims.Count} but computes rank {actual.Shape.Length}");
            }
        }

        return TypedGraph.InEvalOrder(sources, results);
    }

    private TypedNode Value(string name, string user)
    {
        if (_values.TryGetValue(name, out var node))
        {
            return node;
        }

        if (_graph.Initializers.TryGetValue(name, out var tensor))
        {
            node = Const(tensor, name);
            _values[name] = node;
            return node;
        }

        throw new OnnxModelException($"{user} reads tensor '{name}', which no node, input or initializer defines");
    }

    private TypedNode Input(OnnxNode node, int slot)
    {
        if (slot >= node.Inputs.Count || node.Inputs[slot].Length == 0)
        {
            throw new OnnxModelException($"{node.Describe} is missing its input {slot}");
        }

        return Value(node.Inputs[slot], node.Describe);
    }

    private TypedNode? OptionalInput(OnnxNode node, int slot) =>
        slot < node.Inputs.Count && node.Inputs[slot].Length > 0 ? Value(node.Inputs[slot], node.Describe) : null;

    private DenseTensor ConstInput(OnnxNode node, int slot, string what) =>
        Input(node, slot).Value ?? throw Unsupported(node, $"{what} (input {slot}) must be a constant or initializer");

    private static UnsupportedOperatorException Unsupported(OnnxNode node, string? detail) =>
        new(node.OpType, node.Name, detail, SupportedOperators);

    // ---------------------------------------------------------------- per op

    private IReadOnlyList<TypedNode> Lower(OnnxNode node)
    {
        switch (node.OpType)
        {
            case "Identity":
            case "Dropout":
                return [Input(node, 0)];
            case "Constant":
                return [Const(ConstantAttribute(node), node.Name)];
            case "Gemm":
                return [Gemm(node)];
            case "MatMul":
                return [MatMul(node, Input(node, 0), Input(node, 1))];
            case "Add":
                return [Binary(node, TypedKind.Add, Input(node, 0), Input(node, 1))];
            case "Sub":
                return [Binary(node, TypedKind.Sub, Input(node, 0), Input(node, 1))];
            case "Mul":
                {
                    var (a, b) = (Input(node, 0), Input(node, 1));
                    // tract: Mul(x, x) is Square, which ezkl lays out as Poly Pow(2).
                    return [ReferenceEquals(a, b) && a.Value is null
                        ? new TypedNode { Kind = TypedKind.Pow, Inputs = [a], Shape = a.Shape, Origin = node.Name, Exponent = 2 }
                        : Binary(node, TypedKind.Mul, a, b)];
                }
            case "Div":
                return [Div(node)];
            case "Relu":
                {
                    var x = Input(node, 0);
                    var zero = Const(new DenseTensor(Enumerable.Repeat(1L, x.Shape.Length).ToArray(), [0.0], ElementKind.Float), node.Name + ".zero");
                    return [Make(TypedKind.Max, [x, zero], x.Shape, node.Name)];
                }

            case "LeakyRelu":
                {
                    var x = Input(node, 0);
                    return [new TypedNode { Kind = TypedKind.LeakyRelu, Inputs = [x], Shape = x.Shape, Origin = node.Name, Alpha = node.Float("alpha", 0.01f) }];
                }

            case "Sigmoid":
                return [Unary(node, TypedKind.Sigmoid)];
            case "Tanh":
                return [Unary(node, TypedKind.Tanh)];
            case "Flatten":
                {
                    var x = Input(node, 0);
                    var axis = (int)node.Int("axis", 1);
                    if (axis < 0)
                    {
                        axis += x.Shape.Length;
                    }

                    if (axis < 0 || axis > x.Shape.Length)
                    {
                        throw new OnnxModelException($"{node.Describe} has axis {node.Int("axis", 1)} out of range for rank {x.Shape.Length}");
                    }

                    return [Reshape(x, [ShapeMath.Size(x.Shape[..axis]), ShapeMath.Size(x.Shape[axis..])], node.Name)];
                }

            case "Reshape":
                return [ReshapeOp(node)];
            case "Squeeze":
                return [Squeeze(node)];
            case "Unsqueeze":
                return [Unsqueeze(node)];
            case "Transpose":
                {
                    var x = Input(node, 0);
                    var perm = node.Ints("perm") ?? Enumerable.Range(0, x.Shape.Length).Reverse().Select(i => (long)i).ToArray();
                    if (perm.Length != x.Shape.Length || perm.OrderBy(p => p).Where((p, i) => p != i).Any())
                    {
                        throw new OnnxModelException($"{node.Describe} has an invalid perm [{string.Join(",", perm)}] for rank {x.Shape.Length}");
                    }

                    return [Transpose(x, perm.Select(p => (int)p).ToArray(), node.Name)];
                }

            case "Conv":
                return [Conv(node)];
            case "BatchNormalization":
                return [BatchNorm(node)];
            case "AveragePool":
                return [AveragePool(node)];
            case "GlobalAveragePool":
                {
                    // tract: Reduce<Sum> over the spatial axes, then Div by their size (a Mul by 1/n; ezkl: a rescaling
                    // Identity when n is a power of 2).
                    var x = Input(node, 0);
                    RequireRank(node, x, 4);
                    return [SumThenScale(node, x, [2, 3], mean: true)];
                }

            default:
                return LowerShapeOp(node) ?? LowerElementwise(node) ?? LowerDecomposition(node) ?? LowerDivision(node) ?? LowerComposition(node) ?? throw Refused(node);
        }
    }

    private static DenseTensor ConstantAttribute(OnnxNode node)
    {
        if (node.Tensor("value") is { } t)
        {
            return t;
        }

        if (node.Attributes.TryGetValue("value_float", out var f))
        {
            return new DenseTensor([], [f.F], ElementKind.Float);
        }

        if (node.Attributes.TryGetValue("value_floats", out var fs))
        {
            return new DenseTensor([fs.Floats.Count], fs.Floats.Select(v => (double)v).ToArray(), ElementKind.Float);
        }

        if (node.Attributes.TryGetValue("value_int", out var i))
        {
            return new DenseTensor([], [i.I], ElementKind.Integer);
        }

        if (node.Attributes.TryGetValue("value_ints", out var iss))
        {
            return new DenseTensor([iss.Ints.Count], iss.Ints.Select(v => (double)v).ToArray(), ElementKind.Integer);
        }

        throw Unsupported(node, "only value, value_float(s) and value_int(s) constants are supported");
    }

    private TypedNode Gemm(OnnxNode node)
    {
        var a = Input(node, 0);
        var b = Input(node, 1);
        var c = OptionalInput(node, 2);
        var alpha = node.Float("alpha", 1f);
        var beta = node.Float("beta", 1f);
        var transA = node.Int("transA", 0) != 0;
        var transB = node.Int("transB", 0) != 0;
        if (a.Shape.Length != 2 || b.Shape.Length != 2)
        {
            throw new OnnxModelException($"{node.Describe} needs rank-2 A and B, got [{string.Join(",", a.Shape)}] and [{string.Join(",", b.Shape)}]");
        }

        if (transA)
        {
            a = Transpose(a, [1, 0], node.Name + ".transA");
        }

        var k = a.Shape[1];
        var bk = transB ? b.Shape[1] : b.Shape[0];
        if (k != bk)
        {
            throw new OnnxModelException($"{node.Describe}: inner dimensions {k} and {bk} differ");
        }

        var n = transB ? b.Shape[0] : b.Shape[1];
        if (alpha != 1f && b.Value is { } bv)
        {
            // Folding alpha into a constant B is exact in real arithmetic and saves a product.
            b = Const(Scale(bv, alpha), node.Name + ".alphaB");
        }

        var product = Make(TypedKind.EinSum, [a, b], [a.Shape[0], n], node.Name, equation: transB ? "mk,nk->mn" : "mk,kn->mn");
        if (alpha != 1f && b.Value is null)
        {
            product = Binary(node, TypedKind.Mul, product, Const(new DenseTensor([1, 1], [alpha], ElementKind.Float), node.Name + ".alpha"));
        }

        if (c is null || beta == 0f)
        {
            return product;
        }

        if (c.Value is { } cv)
        {
            // tract: AddAxis(0) until C has rank 2, Mul by beta; PropConst folds both into one constant.
            var shape = cv.Shape;
            while (shape.Length < 2)
            {
                shape = [1, .. shape];
            }

            c = Const(Scale(cv.Reshaped(shape), beta), node.Inputs[2]);
        }
        else if (beta != 1f)
        {
            c = Binary(node, TypedKind.Mul, c, Const(new DenseTensor([1, 1], [beta], ElementKind.Float), node.Name + ".beta"));
        }

        return Binary(node, TypedKind.Add, product, c);
    }

    private TypedNode MatMul(OnnxNode node, TypedNode a, TypedNode b)
    {
        const string prefixLetters = "abcdefgh";
        if (a.Shape.Length < 2 || b.Shape.Length < 2)
        {
            throw Unsupported(node, "MatMul of rank-1 operands is not supported; reshape them to rank 2");
        }

        var batchA = a.Shape[..^2];
        var batchB = b.Shape[..^2];
        if (batchA.Length > 0 && batchB.Length > 0 && !batchA.SequenceEqual(batchB))
        {
            throw Unsupported(node, $"MatMul batch dimensions [{string.Join(",", batchA)}] and [{string.Join(",", batchB)}] must be equal (broadcast batch dims are not supported)");
        }

        if (a.Shape[^1] != b.Shape[^2])
        {
            throw new OnnxModelException($"{node.Describe}: inner dimensions {a.Shape[^1]} and {b.Shape[^2]} differ");
        }

        var batch = batchA.Length >= batchB.Length ? batchA : batchB;
        if (batch.Length > prefixLetters.Length)
        {
            throw Unsupported(node, "MatMul with more than 8 batch dimensions");
        }

        var prefix = prefixLetters[..batch.Length];
        var equation = $"{prefixLetters[..batchA.Length]}mk,{prefixLetters[..batchB.Length]}kn->{prefix}mn";
        return Make(TypedKind.EinSum, [a, b], [.. batch, a.Shape[^2], b.Shape[^1]], node.Name, equation: equation);
    }

    private TypedNode Div(OnnxNode node)
    {
        var a = Input(node, 0);
        var b = Input(node, 1);
        if (b.Value is not { } divisor)
        {
            return DivideByComputed(node, a, b);
        }

        if (divisor.Data.Any(d => d == 0))
        {
            throw new OnnxModelException($"{node.Describe} divides by a constant containing zero");
        }

        if (a.Value is { } av)
        {
            return Const(Elementwise(av, divisor, (x, y) => (float)(x / y), node), node.Name);
        }

        var reciprocal = new DenseTensor(divisor.Shape, divisor.Data.Select(d => (double)(float)(1.0 / d)).ToArray(), ElementKind.Float);
        return Binary(node, TypedKind.Mul, a, Const(reciprocal, node.Name + ".reciprocal"));
    }

    private TypedNode Unary(OnnxNode node, TypedKind kind)
    {
        var x = Input(node, 0);
        return Make(kind, [x], x.Shape, node.Name);
    }

    private TypedNode Binary(OnnxNode node, TypedKind kind, TypedNode a, TypedNode b)
    {
        var shape = ShapeMath.Broadcast(a.Shape, b.Shape)
            ?? throw new OnnxModelException($"{node.Describe}: shapes [{string.Join(",", a.Shape)}] and [{string.Join(",", b.Shape)}] do not broadcast");
        if (a.Value is { } av && b.Value is { } bv)
        {
            Func<double, double, double> f = kind switch
            {
                TypedKind.Add => (x, y) => (float)(x + y),
                TypedKind.Sub => (x, y) => (float)(x - y),
                _ => (x, y) => (float)(x * y),
            };
            return Const(Elementwise(av, bv, f, node), node.Name);
        }

        // tract's rank broadcast: the lower-rank operand gets leading unit axes.
        a = RaiseRank(a, shape.Length, node.Name);
        b = RaiseRank(b, shape.Length, node.Name);
        return Make(kind, [a, b], shape, node.Name);
    }

    private TypedNode RaiseRank(TypedNode x, int rank, string origin)
    {
        if (x.Shape.Length >= rank)
        {
            return x;
        }

        var shape = Enumerable.Repeat(1L, rank - x.Shape.Length).Concat(x.Shape).ToArray();
        return Reshape(x, shape, origin);
    }

    private TypedNode ReshapeOp(OnnxNode node)
    {
        var x = Input(node, 0);
        var spec = ConstInput(node, 1, "the target shape").AsLongs();
        var shape = new long[spec.Length];
        var inferred = -1;
        for (var i = 0; i < spec.Length; i++)
        {
            if (spec[i] == 0 && node.Int("allowzero", 0) == 0)
            {
                shape[i] = i < x.Shape.Length ? x.Shape[i] : throw new OnnxModelException($"{node.Describe} copies dimension {i} that the input lacks");
            }
            else if (spec[i] == -1)
            {
                if (inferred >= 0)
                {
                    throw new OnnxModelException($"{node.Describe} has more than one -1 in its shape");
                }

                inferred = i;
                shape[i] = 1;
            }
            else
            {
                shape[i] = spec[i];
            }
        }

        var size = ShapeMath.Size(x.Shape);
        if (inferred >= 0)
        {
            var rest = ShapeMath.Size(shape);
            if (rest == 0 || size % rest != 0)
            {
                throw new OnnxModelException($"{node.Describe} cannot reshape [{string.Join(",", x.Shape)}] to [{string.Join(",", spec)}]");
            }

            shape[inferred] = size / rest;
        }

        if (ShapeMath.Size(shape) != size)
        {
            throw new OnnxModelException($"{node.Describe} cannot reshape [{string.Join(",", x.Shape)}] ({size} values) to [{string.Join(",", shape)}]");
        }

        return Reshape(x, shape, node.Name);
    }

    private long[] Axes(OnnxNode node, int rank)
    {
        var axes = node.Ints("axes") ?? (OptionalInput(node, 1) is { } a ? (a.Value ?? throw Unsupported(node, "axes must be constant")).AsLongs() : null);
        return axes?.Select(x => x < 0 ? x + rank : x).ToArray() ?? [];
    }

    private TypedNode Squeeze(OnnxNode node)
    {
        var x = Input(node, 0);
        var axes = Axes(node, x.Shape.Length);
        if (axes.Length == 0)
        {
            axes = x.Shape.Select((d, i) => (d, i)).Where(p => p.d == 1).Select(p => (long)p.i).ToArray();
        }

        if (axes.Any(a => a < 0 || a >= x.Shape.Length || x.Shape[a] != 1))
        {
            throw new OnnxModelException($"{node.Describe} squeezes an axis that is not of size 1");
        }

        return Reshape(x, x.Shape.Where((_, i) => !axes.Contains(i)).ToArray(), node.Name);
    }

    private TypedNode Unsqueeze(OnnxNode node)
    {
        var x = Input(node, 0);
        var rank = x.Shape.Length + Axes(node, int.MaxValue).Length;
        var axes = Axes(node, rank).OrderBy(a => a).ToArray();
        var shape = x.Shape.ToList();
        foreach (var a in axes)
        {
            if (a < 0 || a > shape.Count)
            {
                throw new OnnxModelException($"{node.Describe} has an out-of-range axis {a}");
            }

            shape.Insert((int)a, 1);
        }

        return Reshape(x, shape.ToArray(), node.Name);
    }

    private TypedNode Reshape(TypedNode x, long[] shape, string origin)
    {
        if (x.Shape.SequenceEqual(shape))
        {
            return x;
        }

        if (x.Value is { } v)
        {
            return Const(v.Reshaped(shape), origin);
        }

        return new TypedNode { Kind = TypedKind.Reshape, Inputs = [x], Shape = shape, Origin = origin, ElementKind = x.ElementKind };
    }

    private TypedNode Transpose(TypedNode x, int[] perm, string origin)
    {
        if (x.Value is { } v)
        {
            return Const(TransposeTensor(v, perm), origin);
        }

        // A permutation is a sequence of single-axis moves (tract's AxisOp::Move).
        var current = Enumerable.Range(0, perm.Length).ToList();
        var node = x;
        for (var target = 0; target < perm.Length; target++)
        {
            var from = current.IndexOf(perm[target]);
            if (from == target)
            {
                continue;
            }

            var axis = current[from];
            current.RemoveAt(from);
            current.Insert(target, axis);
            var shape = current.Select(a => x.Shape[a]).ToArray();
            node = new TypedNode { Kind = TypedKind.MoveAxis, Inputs = [node], Shape = shape, Origin = origin, From = from, To = target };
        }

        return node;
    }

    private TypedNode Conv(OnnxNode node)
    {
        var x = Input(node, 0);
        var w = ConstInput(node, 1, "the kernel");
        var bias = OptionalInput(node, 2);
        RequireRank(node, x, 4);
        if (w.Shape.Length != 4)
        {
            throw Unsupported(node, "only 2-D convolutions (rank-4 kernels) are supported");
        }

        if (node.Ints("dilations") is { } dil && dil.Any(d => d != 1))
        {
            throw Unsupported(node, "dilations other than 1 are not supported");
        }

        var group = node.Int("group", 1);
        if (x.Shape[1] != w.Shape[1] * group || w.Shape[0] % group != 0)
        {
            throw new OnnxModelException($"{node.Describe}: input channels {x.Shape[1]} do not match kernel [{string.Join(",", w.Shape)}] with group {group}");
        }

        var window = Window(node, x, [w.Shape[2], w.Shape[3]], group);
        var shape = new[] { x.Shape[0], w.Shape[0], OutputSize(x.Shape[2], window, 0), OutputSize(x.Shape[3], window, 1) };
        var inputs = new List<TypedNode> { x, Input(node, 1) };
        if (bias is not null)
        {
            if (bias.Value is not { } bv || bv.Data.Length != w.Shape[0])
            {
                throw Unsupported(node, "the bias must be a constant with one value per output channel");
            }

            inputs.Add(bv.Shape.Length == 1 ? bias : Const(bv.Reshaped([w.Shape[0]]), node.Inputs[2]));
        }

        return new TypedNode { Kind = TypedKind.Conv, Inputs = inputs, Shape = shape, Origin = node.Name, Window = window };
    }

    private TypedNode AveragePool(OnnxNode node)
    {
        var x = Input(node, 0);
        RequireRank(node, x, 4);
        var kernel = node.Ints("kernel_shape") ?? throw new OnnxModelException($"{node.Describe} has no kernel_shape");
        if (node.Int("ceil_mode", 0) != 0)
        {
            throw Unsupported(node, "ceil_mode=1 is not supported");
        }

        var window = Window(node, x, kernel, 1);
        if (window.Padding.Any(p => p.Begin != 0 || p.End != 0) && node.Int("count_include_pad", 0) == 0)
        {
            throw Unsupported(node, "padding with count_include_pad=0 divides border windows by fewer elements, which ezkl's SumPool cannot express");
        }

        var shape = new[] { x.Shape[0], x.Shape[1], OutputSize(x.Shape[2], window, 0), OutputSize(x.Shape[3], window, 1) };
        return new TypedNode { Kind = TypedKind.SumPool, Inputs = [x], Shape = shape, Origin = node.Name, Window = window };
    }

    private TypedNode BatchNorm(OnnxNode node)
    {
        var x = Input(node, 0);
        var gamma = ConstInput(node, 1, "scale").Data;
        var betaT = ConstInput(node, 2, "B").Data;
        var mean = ConstInput(node, 3, "mean").Data;
        var variance = ConstInput(node, 4, "var").Data;
        var epsilon = node.Float("epsilon", 1e-5f);
        var channels = x.Shape.Length > 1 ? x.Shape[1] : throw new OnnxModelException($"{node.Describe} needs an input of rank at least 2");
        if (new[] { gamma, betaT, mean, variance }.Any(t => t.Length != channels))
        {
            throw new OnnxModelException($"{node.Describe}: parameter lengths do not match the {channels} channels");
        }

        var multiplier = new double[channels];
        var shift = new double[channels];
        for (var c = 0; c < channels; c++)
        {
            var m = (float)(gamma[c] / Math.Sqrt((float)(variance[c] + epsilon)));
            multiplier[c] = m;
            shift[c] = (float)(betaT[c] - (mean[c] * m));
        }

        // Fold into a preceding Conv that nothing else reads (tract's declutter does the same).
        if (x.Kind == TypedKind.Conv && _consumers.GetValueOrDefault(node.Inputs[0]) == 1)
        {
            var kernel = x.Inputs[1].Value!;
            var perOut = kernel.Data.Length / channels;
            var folded = new double[kernel.Data.Length];
            for (var i = 0; i < folded.Length; i++)
            {
                folded[i] = (float)(kernel.Data[i] * multiplier[i / perOut]);
            }

            var oldBias = x.Inputs.Count > 2 ? x.Inputs[2].Value!.Data : new double[channels];
            var newBias = new double[channels];
            for (var c = 0; c < channels; c++)
            {
                newBias[c] = (float)((oldBias[c] * multiplier[c]) + shift[c]);
            }

            return new TypedNode
            {
                Kind = TypedKind.Conv,
                Inputs = [x.Inputs[0], Const(new DenseTensor(kernel.Shape, folded, ElementKind.Float), node.Name + ".kernel"), Const(new DenseTensor([channels], newBias, ElementKind.Float), node.Name + ".bias")],
                Shape = x.Shape,
                Origin = x.Origin + "+" + node.Name,
                Window = x.Window,
            };
        }

        var paramShape = new long[x.Shape.Length - 1];
        Array.Fill(paramShape, 1L);
        paramShape[0] = channels;
        var scaled = Binary(node, TypedKind.Mul, x, Const(new DenseTensor(paramShape, multiplier, ElementKind.Float), node.Name + ".multiplier"));
        return Binary(node, TypedKind.Add, scaled, Const(new DenseTensor(paramShape, shift, ElementKind.Float), node.Name + ".shift"));
    }

    private static WindowSpec Window(OnnxNode node, TypedNode x, long[] kernel, long group)
    {
        if (kernel.Length != 2)
        {
            throw Unsupported(node, "only 2-D windows are supported");
        }

        var strides = node.Ints("strides") ?? [1, 1];
        var autoPad = node.String("auto_pad") ?? "NOTSET";
        (long, long)[] padding;
        switch (autoPad)
        {
            case "NOTSET":
            case "":
                var pads = node.Ints("pads") ?? [0, 0, 0, 0];
                padding = [(pads[0], pads[2]), (pads[1], pads[3])];
                break;
            case "VALID":
                padding = [(0, 0), (0, 0)];
                break;
            case "SAME_UPPER":
            case "SAME_LOWER":
                padding = new (long, long)[2];
                for (var i = 0; i < 2; i++)
                {
                    var input = x.Shape[2 + i];
                    var output = (input + strides[i] - 1) / strides[i];
                    var total = Math.Max(0, ((output - 1) * strides[i]) + kernel[i] - input);
                    var small = total / 2;
                    padding[i] = autoPad == "SAME_UPPER" ? (small, total - small) : (total - small, small);
                }

                break;
            default:
                throw Unsupported(node, $"auto_pad {autoPad}");
        }

        return new WindowSpec(kernel, strides, padding, group);
    }

    private static long OutputSize(long input, WindowSpec w, int axis) =>
        ((input + w.Padding[axis].Begin + w.Padding[axis].End - w.Kernel[axis]) / w.Strides[axis]) + 1;

    private static void RequireRank(OnnxNode node, TypedNode x, int rank)
    {
        if (x.Shape.Length != rank)
        {
            throw Unsupported(node, $"the input must have rank {rank} (NCHW), got [{string.Join(",", x.Shape)}]");
        }
    }

    // ---------------------------------------------------------------- constants

    private static TypedNode Const(DenseTensor value, string origin) =>
        new() { Kind = TypedKind.Const, Inputs = [], Shape = value.Shape, Origin = origin, Value = value, ElementKind = value.Kind };

    private static TypedNode Make(TypedKind kind, IReadOnlyList<TypedNode> inputs, long[] shape, string origin, string? equation = null) =>
        new() { Kind = kind, Inputs = inputs, Shape = shape, Origin = origin, Equation = equation };

    private static DenseTensor Scale(DenseTensor t, float factor) =>
        new(t.Shape, t.Data.Select(v => (double)(float)(v * factor)).ToArray(), t.Kind);

    private static DenseTensor Elementwise(DenseTensor a, DenseTensor b, Func<double, double, double> f, OnnxNode node)
    {
        var shape = ShapeMath.Broadcast(a.Shape, b.Shape) ?? throw new OnnxModelException($"{node.Describe}: constant shapes do not broadcast");
        var size = ShapeMath.Size(shape);
        var data = new double[size];
        var sa = BroadcastStrides(a.Shape, shape);
        var sb = BroadcastStrides(b.Shape, shape);
        var strides = ShapeMath.Strides(shape);
        for (long i = 0; i < size; i++)
        {
            long ia = 0, ib = 0, rest = i;
            for (var d = 0; d < shape.Length; d++)
            {
                var coord = rest / strides[d];
                rest %= strides[d];
                ia += coord * sa[d];
                ib += coord * sb[d];
            }

            data[i] = f(a.Data[ia], b.Data[ib]);
        }

        var kind = a.Kind == ElementKind.Float || b.Kind == ElementKind.Float ? ElementKind.Float : ElementKind.Integer;
        return new DenseTensor(shape, data, kind);
    }

    private static long[] BroadcastStrides(long[] from, long[] to)
    {
        var own = ShapeMath.Strides(from);
        var result = new long[to.Length];
        for (var d = 0; d < to.Length; d++)
        {
            var k = d - (to.Length - from.Length);
            result[d] = k >= 0 && from[k] != 1 ? own[k] : 0;
        }

        return result;
    }

    internal static DenseTensor TransposeTensor(DenseTensor t, int[] perm)
    {
        var shape = perm.Select(p => t.Shape[p]).ToArray();
        var inStrides = ShapeMath.Strides(t.Shape);
        var outStrides = ShapeMath.Strides(shape);
        var data = new double[t.Data.Length];
        for (long i = 0; i < data.Length; i++)
        {
            long rest = i, source = 0;
            for (var d = 0; d < shape.Length; d++)
            {
                var coord = rest / outStrides[d];
                rest %= outStrides[d];
                source += coord * inStrides[perm[d]];
            }

            data[i] = t.Data[source];
        }

        return new DenseTensor(shape, data, t.Kind);
    }
}
