using Zkml.Ezkl.Compilation.Shapes;
using Zkml.Ezkl.Onnx;

namespace Zkml.Ezkl.Compilation.Normalization;

/// <summary>Element-wise functions ezkl lays out as lookup tables, and the reductions that are sums.</summary>
internal sealed partial class OnnxNormalizer
{
    /// <summary>ONNX op → ezkl <c>LookupOp</c> variant, with the float function constant folding uses.</summary>
    private static readonly Dictionary<string, (string Lookup, Func<double, double> Function)> s_lookups = new(StringComparer.Ordinal)
    {
        ["Exp"] = ("Exp", Math.Exp),
        ["Erf"] = ("Erf", Erf),
        ["Log"] = ("Ln", Math.Log),
        ["Sin"] = ("Sin", Math.Sin),
        ["Cos"] = ("Cos", Math.Cos),
        ["Tan"] = ("Tan", Math.Tan),
        ["Asin"] = ("ASin", Math.Asin),
        ["Acos"] = ("ACos", Math.Acos),
        ["Atan"] = ("ATan", Math.Atan),
        ["Sinh"] = ("Sinh", Math.Sinh),
        ["Cosh"] = ("Cosh", Math.Cosh),
        ["Asinh"] = ("ASinh", Math.Asinh),
        ["Acosh"] = ("ACosh", Math.Acosh),
        ["Atanh"] = ("ATanh", Math.Atanh),
        ["HardSwish"] = ("HardSwish", x => x * Math.Clamp((x / 6) + 0.5, 0, 1)),
    };

    private IReadOnlyList<TypedNode>? LowerElementwise(OnnxNode node)
    {
        if (s_lookups.TryGetValue(node.OpType, out var lookup))
        {
            return [Lookup(node, Input(node, 0), lookup.Lookup, lookup.Function, node.Name)];
        }

        switch (node.OpType)
        {
            case "Softplus":
                {
                    // tract: Softplus(x) = Ln(Exp(x) + 1).
                    var x = Input(node, 0);
                    var exp = Lookup(node, x, "Exp", Math.Exp, node.Name + ".exp");
                    var one = Const(new DenseTensor(Enumerable.Repeat(1L, x.Shape.Length).ToArray(), [1.0], ElementKind.Float), node.Name + ".one");
                    return [Lookup(node, Binary(node, TypedKind.Add, exp, one), "Ln", Math.Log, node.Name)];
                }

            case "ReduceSum":
                return [Reduce(node, mean: false)];
            case "ReduceMean":
                return [Reduce(node, mean: true)];
            case "ReduceMax":
            case "ReduceMin":
                return [ReduceExtremum(node, Input(node, 0), node.OpType == "ReduceMax", null)];
            case "GlobalMaxPool":
                {
                    var x = Input(node, 0);
                    return [ReduceExtremum(node, x, true, Enumerable.Range(2, x.Shape.Length - 2).Select(i => (long)i).ToArray())];
                }

            case "MaxPool":
                return [MaxPool(node)];
            case "TopK":
                {
                    var x = Input(node, 0);
                    if (node.Outputs.Count > 1 && _consumers.GetValueOrDefault(node.Outputs[1]) > 0)
                    {
                        throw Unsupported(node, "the Indices output is not supported (ezkl's TopK returns the values)");
                    }

                    if (x.Value is not null)
                    {
                        throw Unsupported(node, "a top-k of constants is not folded yet");
                    }

                    var k = ConstInput(node, 1, "K").AsLongs().Single();
                    var axis = NormalizeAxis(node, node.Int("axis", -1), x.Shape.Length);
                    if (k < 1 || k > x.Shape[axis])
                    {
                        throw new OnnxModelException($"{node.Describe} has K = {k} for an axis of size {x.Shape[axis]}");
                    }

                    var shape = x.Shape.ToArray();
                    shape[axis] = k;
                    return [new TypedNode { Kind = TypedKind.TopK, Inputs = [x], Shape = shape, Origin = node.Name, Axis = axis, Start = k, Variant = node.Int("largest", 1) != 0 ? "largest" : "smallest" }];
                }

            case "ArgMax":
            case "ArgMin":
                {
                    var x = Input(node, 0);
                    if (node.Int("select_last_index", 0) != 0)
                    {
                        throw Unsupported(node, "select_last_index=1 has no ezkl v21 op (ties go to the first index)");
                    }

                    if (x.Value is not null)
                    {
                        throw Unsupported(node, "an argmax or argmin of constants is not folded yet");
                    }

                    var axis = NormalizeAxis(node, node.Int("axis", 0), x.Shape.Length);
                    var kept = x.Shape.Select((d, i) => i == axis ? 1 : d).ToArray();
                    var result = new TypedNode { Kind = TypedKind.ArgMax, Inputs = [x], Shape = kept, Origin = node.Name, Axis = axis, Variant = node.OpType == "ArgMax" ? "ReduceArgMax" : "ReduceArgMin", ElementKind = ElementKind.Integer };
                    return [node.Int("keepdims", 1) != 0 ? result : Reshape(result, x.Shape.Where((_, i) => i != axis).ToArray(), node.Name)];
                }

            default:
                return null;
        }
    }

    private TypedNode Lookup(OnnxNode node, TypedNode x, string lookup, Func<double, double> function, string origin)
    {
        if (x.Value is { } v)
        {
            return Const(new DenseTensor(v.Shape, v.Data.Select(d => (double)(float)function(d)).ToArray(), ElementKind.Float), origin);
        }

        if (lookup == "Ln" && _boundedLogLookup)
        {
            throw Unsupported(node, "with bounded_log_lookup ezkl lays Ln out as Hybrid Ln, which Zkml does not lay out yet");
        }

        return new TypedNode { Kind = TypedKind.Lookup, Inputs = [x], Shape = x.Shape, Origin = origin, LookupName = lookup };
    }

    private TypedNode Reduce(OnnxNode node, bool mean)
    {
        var x = Input(node, 0);
        var rank = x.Shape.Length;
        var axes = node.Ints("axes") ?? (OptionalInput(node, 1) is { } a ? (a.Value ?? throw Unsupported(node, "axes (input 1) must be constant")).AsLongs() : null);
        if (axes is null || axes.Length == 0)
        {
            if (node.Int("noop_with_empty_axes", 0) != 0)
            {
                return x;
            }

            axes = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        }

        var normalized = axes.Select(axis => (long)NormalizeAxis(node, axis, rank)).Distinct().Order().ToArray();
        var result = SumThenScale(node, x, normalized, mean);
        return node.Int("keepdims", 1) != 0 ? result : Reshape(result, x.Shape.Where((_, i) => !normalized.Contains(i)).ToArray(), node.Name);
    }

    /// <summary>Reduce&lt;Sum&gt; over <paramref name="axes"/> (kept as size 1), then for a mean the Mul by the constant
    /// 1/n tract makes of the division (ezkl: a rescaling Identity when n is a power of 2).</summary>
    private TypedNode SumThenScale(OnnxNode node, TypedNode x, long[] axes, bool mean)
    {
        var rank = x.Shape.Length;
        var keptShape = x.Shape.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray();
        var count = axes.Aggregate(1L, (p, axis) => p * x.Shape[axis]);
        if (x.Value is { } v)
        {
            var (items, shape) = IndexOps.Sum(v.Data, v.Shape, axes);
            return Const(new DenseTensor(shape, mean ? items.Select(s => (double)(float)(s / count)).ToArray() : items, v.Kind), node.Name);
        }

        var result = new TypedNode { Kind = TypedKind.Sum, Inputs = [x], Shape = keptShape, Origin = node.Name, Axes = axes };
        if (mean)
        {
            var reciprocal = Const(new DenseTensor(Enumerable.Repeat(1L, rank).ToArray(), [(float)(1.0 / count)], ElementKind.Float), node.Name + ".reciprocal");
            result = Binary(node, TypedKind.Mul, result, reciprocal);
        }

        return result;
    }

    private TypedNode ReduceExtremum(OnnxNode node, TypedNode x, bool max, long[]? fixedAxes)
    {
        var rank = x.Shape.Length;
        var axes = fixedAxes ?? node.Ints("axes") ?? (OptionalInput(node, 1) is { } a ? (a.Value ?? throw Unsupported(node, "axes (input 1) must be constant")).AsLongs() : null);
        if (axes is null || axes.Length == 0)
        {
            axes = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        }

        var normalized = axes.Select(axis => (long)NormalizeAxis(node, axis, rank)).Distinct().Order().ToArray();
        var keptShape = x.Shape.Select((d, i) => normalized.Contains(i) ? 1 : d).ToArray();
        if (x.Value is not null)
        {
            throw Unsupported(node, "a max or min of constants is not folded yet");
        }

        var result = new TypedNode { Kind = TypedKind.ReduceMax, Inputs = [x], Shape = keptShape, Origin = node.Name, Axes = normalized, Variant = max ? "ReduceMax" : "ReduceMin" };
        return fixedAxes is not null || node.Int("keepdims", 1) != 0 ? result : Reshape(result, x.Shape.Where((_, i) => !normalized.Contains(i)).ToArray(), node.Name);
    }

    private TypedNode MaxPool(OnnxNode node)
    {
        if (node.Outputs.Count > 1 && node.Outputs[1].Length > 0)
        {
            throw Unsupported(node, "the Indices output is not supported");
        }

        var x = Input(node, 0);
        RequireRank(node, x, 4);
        var kernel = node.Ints("kernel_shape") ?? throw new OnnxModelException($"{node.Describe} has no kernel_shape");
        if (node.Int("ceil_mode", 0) != 0)
        {
            throw Unsupported(node, "ceil_mode=1 is not supported");
        }

        if (node.Ints("dilations") is { } dil && dil.Any(d => d != 1))
        {
            throw Unsupported(node, "dilations other than 1 are not supported");
        }

        if (node.Int("storage_order", 0) != 0)
        {
            throw Unsupported(node, "storage_order=1 is not supported");
        }

        var window = Window(node, x, kernel, 1);
        var shape = new[] { x.Shape[0], x.Shape[1], OutputSize(x.Shape[2], window, 0), OutputSize(x.Shape[3], window, 1) };
        return new TypedNode { Kind = TypedKind.MaxPool, Inputs = [x], Shape = shape, Origin = node.Name, Window = window };
    }

    /// <summary>The error function for constant folding (Numerical Recipes erfc, relative error below 1.2e-7: enough for f32).</summary>
    private static double Erf(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        double[] c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        var poly = 0.0;
        for (var k = c.Length - 1; k >= 0; k--)
        {
            poly = c[k] + (t * poly);
        }

        var r = t * Math.Exp(-(z * z) + poly);
        return x >= 0 ? 1 - r : r - 1;
    }
}
