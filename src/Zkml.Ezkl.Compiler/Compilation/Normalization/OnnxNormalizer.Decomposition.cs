using Zkml.Ezkl.Onnx;

namespace Zkml.Ezkl.Compilation.Normalization;

/// <summary>Ops ezkl builds from its sign/decomposition gadget: Abs, Sign, Neg, pairwise Max/Min (and Clip, PRelu,
/// HardSigmoid as tract rewrites them), comparisons, Where (Iff) and boolean logic.</summary>
internal sealed partial class OnnxNormalizer
{
    private static readonly Dictionary<string, (string Variant, bool Swap)> s_comparisons = new(StringComparer.Ordinal)
    {
        ["Greater"] = ("Greater", false),
        ["GreaterOrEqual"] = ("GreaterEqual", false),
        ["Less"] = ("Less", false),
        ["LessOrEqual"] = ("LessEqual", false),
        ["Equal"] = ("Equals", false),
    };

    private IReadOnlyList<TypedNode>? LowerDecomposition(OnnxNode node)
    {
        if (s_comparisons.TryGetValue(node.OpType, out var comparison))
        {
            return [Compare(node, Input(node, 0), Input(node, 1), comparison.Variant, node.Name)];
        }

        switch (node.OpType)
        {
            case "Abs":
                return [UnaryDecomposition(node, TypedKind.Abs, Math.Abs)];
            case "Sign":
                return [UnaryDecomposition(node, TypedKind.Sign, v => Math.Sign(v))];
            case "Neg":
                return [UnaryDecomposition(node, TypedKind.Neg, v => -v)];
            case "Max":
            case "Min":
                {
                    var result = Input(node, 0);
                    for (var i = 1; i < node.Inputs.Count; i++)
                    {
                        result = Extremum(node, node.OpType == "Max", result, Input(node, i), node.Name);
                    }

                    return [result];
                }

            case "Clip":
                {
                    var x = Input(node, 0);
                    var low = node.Attributes.ContainsKey("min") ? node.Float("min", float.MinValue) : OptionalInput(node, 1) is { } lo ? (lo.Value ?? throw Unsupported(node, "min must be constant")).Data.Single() : (double?)null;
                    var high = node.Attributes.ContainsKey("max") ? node.Float("max", float.MaxValue) : OptionalInput(node, 2) is { } hi ? (hi.Value ?? throw Unsupported(node, "max must be constant")).Data.Single() : (double?)null;
                    if (low is { } l)
                    {
                        x = Extremum(node, true, x, Scalar(l, x.Shape.Length, node.Name + ".min"), node.Name + ".max");
                    }

                    if (high is { } h)
                    {
                        x = Extremum(node, false, x, Scalar(h, x.Shape.Length, node.Name + ".max"), node.Name);
                    }

                    return [x];
                }

            case "Where":
                return [Where(node, Input(node, 0), Input(node, 1), Input(node, 2), node.Name)];
            case "PRelu":
                {
                    // tract: PRelu(x, slope) = Iff(x > 0, x, x * slope).
                    var x = Input(node, 0);
                    var slope = Input(node, 1);
                    var positive = Compare(node, x, Scalar(0, x.Shape.Length, node.Name + ".zero"), "Greater", node.Name + ".positive");
                    return [Where(node, positive, x, Binary(node, TypedKind.Mul, x, slope), node.Name)];
                }

            case "HardSigmoid":
                {
                    // tract: max(0, min(1, alpha x + beta)).
                    var x = Input(node, 0);
                    var rank = x.Shape.Length;
                    var affine = Binary(node, TypedKind.Add, Binary(node, TypedKind.Mul, x, Scalar(node.Float("alpha", 0.2f), rank, node.Name + ".alpha")), Scalar(node.Float("beta", 0.5f), rank, node.Name + ".beta"));
                    var capped = Extremum(node, false, affine, Scalar(1, rank, node.Name + ".one"), node.Name + ".min");
                    return [Extremum(node, true, capped, Scalar(0, rank, node.Name + ".zero"), node.Name)];
                }

            case "Not":
            case "And":
            case "Or":
            case "Xor":
                return [Logic(node)];
            default:
                return null;
        }
    }

    private static TypedNode Scalar(double value, int rank, string origin) =>
        Const(new DenseTensor(Enumerable.Repeat(1L, rank).ToArray(), [(float)value], ElementKind.Float), origin);

    private TypedNode UnaryDecomposition(OnnxNode node, TypedKind kind, Func<double, double> function)
    {
        var x = Input(node, 0);
        if (x.Value is { } v)
        {
            return Const(new DenseTensor(v.Shape, v.Data.Select(function).ToArray(), v.Kind), node.Name);
        }

        return Make(kind, [x], x.Shape, node.Name);
    }

    /// <summary>Max/Min of two tensors; Max with the scalar 0 is ezkl's ReLU (the Relu path).</summary>
    private TypedNode Extremum(OnnxNode node, bool max, TypedNode a, TypedNode b, string origin)
    {
        var shape = ShapeMath.Broadcast(a.Shape, b.Shape)
            ?? throw new OnnxModelException($"{node.Describe}: shapes [{string.Join(",", a.Shape)}] and [{string.Join(",", b.Shape)}] do not broadcast");
        if (a.Value is { } av && b.Value is { } bv)
        {
            return Const(Elementwise(av, bv, max ? Math.Max : Math.Min, node), origin);
        }

        var constant = a.Value ?? b.Value;
        if (constant is not null && constant.Data.Length != 1)
        {
            throw Unsupported(node, "ezkl takes Max/Min against a constant only when the constant is a single value");
        }

        var (x, c) = b.Value is not null ? (a, b) : (b, a);
        if (max && constant is not null && constant.Data[0] == 0)
        {
            return Make(TypedKind.Max, [x, RaiseRank(c, x.Shape.Length, origin)], x.Shape, origin);
        }

        return Make(max ? TypedKind.Maximum : TypedKind.Minimum, [RaiseRank(a, shape.Length, origin), RaiseRank(b, shape.Length, origin)], shape, origin);
    }

    private TypedNode Compare(OnnxNode node, TypedNode a, TypedNode b, string variant, string origin)
    {
        var shape = ShapeMath.Broadcast(a.Shape, b.Shape)
            ?? throw new OnnxModelException($"{node.Describe}: shapes [{string.Join(",", a.Shape)}] and [{string.Join(",", b.Shape)}] do not broadcast");
        if (a.Value is { } av && b.Value is { } bv)
        {
            Func<double, double, bool> test = variant switch
            {
                "Greater" => (x, y) => x > y,
                "GreaterEqual" => (x, y) => x >= y,
                "Less" => (x, y) => x < y,
                "LessEqual" => (x, y) => x <= y,
                _ => (x, y) => x == y,
            };
            var folded = Elementwise(av, bv, (x, y) => test(x, y) ? 1 : 0, node);
            return Const(new DenseTensor(folded.Shape, folded.Data, ElementKind.Bool), origin);
        }

        return new TypedNode
        {
            Kind = TypedKind.Compare,
            Inputs = [RaiseRank(a, shape.Length, origin), RaiseRank(b, shape.Length, origin)],
            Shape = shape,
            Origin = origin,
            Variant = variant,
            ElementKind = ElementKind.Bool,
        };
    }

    private TypedNode Where(OnnxNode node, TypedNode condition, TypedNode a, TypedNode b, string origin)
    {
        var shape = ShapeMath.Broadcast(ShapeMath.Broadcast(condition.Shape, a.Shape) ?? [], b.Shape)
            ?? throw new OnnxModelException($"{node.Describe}: the shapes of Where do not broadcast");
        if (condition.Value is { } cv && a.Value is { } av && b.Value is { } bv)
        {
            var picked = Elementwise(Elementwise(cv, av, (c, x) => c != 0 ? x : double.NaN, node), bv, (x, y) => double.IsNaN(x) ? y : x, node);
            return Const(picked, origin);
        }

        return new TypedNode
        {
            Kind = TypedKind.Iff,
            Inputs = [RaiseRank(condition, shape.Length, origin), RaiseRank(a, shape.Length, origin), RaiseRank(b, shape.Length, origin)],
            Shape = shape,
            Origin = origin,
            ElementKind = a.ElementKind,
        };
    }

    private TypedNode Logic(OnnxNode node)
    {
        var inputs = Enumerable.Range(0, node.Inputs.Count).Select(i => Input(node, i)).ToList();
        var shape = inputs.Skip(1).Aggregate(inputs[0].Shape, (s, x) => ShapeMath.Broadcast(s, x.Shape)
            ?? throw new OnnxModelException($"{node.Describe}: shapes do not broadcast"));
        if (inputs.All(x => x.Value is not null))
        {
            Func<double, double, double> f = node.OpType switch
            {
                "And" => (x, y) => x != 0 && y != 0 ? 1 : 0,
                "Or" => (x, y) => x != 0 || y != 0 ? 1 : 0,
                _ => (x, y) => (x != 0) ^ (y != 0) ? 1 : 0,
            };
            var folded = node.OpType == "Not"
                ? new DenseTensor(inputs[0].Value!.Shape, inputs[0].Value!.Data.Select(v => v != 0 ? 0.0 : 1.0).ToArray(), ElementKind.Bool)
                : Elementwise(inputs[0].Value!, inputs[1].Value!, f, node);
            return Const(new DenseTensor(folded.Shape, folded.Data, ElementKind.Bool), node.Name);
        }

        return new TypedNode
        {
            Kind = TypedKind.Logic,
            Inputs = inputs.Select(x => RaiseRank(x, shape.Length, node.Name)).ToList(),
            Shape = shape,
            Origin = node.Name,
            Variant = node.OpType,
            ElementKind = ElementKind.Bool,
        };
    }
}
