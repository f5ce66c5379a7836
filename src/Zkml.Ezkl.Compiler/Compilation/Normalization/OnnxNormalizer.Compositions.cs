using Zkml.Ezkl.Onnx;

namespace Zkml.Ezkl.Compilation.Normalization;

/// <summary>ONNX ops tract rewrites into ops Zkml already lays out: Elu, Selu, Celu, Softsign, ReduceL1, ReduceL2,
/// ReduceSumSquare, ReduceLogSumExp and InstanceNormalization.</summary>
internal sealed partial class OnnxNormalizer
{
    private IReadOnlyList<TypedNode>? LowerComposition(OnnxNode node)
    {
        switch (node.OpType)
        {
            case "Elu":
                {
                    // x > 0 ? x : alpha (exp(x) - 1)
                    var x = Input(node, 0);
                    return [ExponentialUnit(node, x, node.Float("alpha", 1f), 1f, node.Name)];
                }

            case "Selu":
                {
                    var x = Input(node, 0);
                    var gamma = node.Float("gamma", 1.0507009873554805f);
                    return [ExponentialUnit(node, x, node.Float("alpha", 1.6732632423543772f), gamma, node.Name)];
                }

            case "Celu":
                {
                    // max(0, x) + min(0, alpha (exp(x / alpha) - 1))
                    var x = Input(node, 0);
                    var alpha = node.Float("alpha", 1f);
                    var rank = x.Shape.Length;
                    var exp = Lookup(node, Binary(node, TypedKind.Mul, x, Scalar(1 / alpha, rank, node.Name + ".1/alpha")), "Exp", Math.Exp, node.Name + ".exp");
                    var negative = Binary(node, TypedKind.Mul, Binary(node, TypedKind.Sub, exp, Scalar(1, rank, node.Name + ".one")), Scalar(alpha, rank, node.Name + ".alpha"));
                    var positivePart = Extremum(node, true, x, Scalar(0, rank, node.Name + ".zero"), node.Name + ".relu");
                    var negativePart = Extremum(node, false, negative, Scalar(0, rank, node.Name + ".zero2"), node.Name + ".min");
                    return [Binary(node, TypedKind.Add, positivePart, negativePart)];
                }

            case "Softsign":
                {
                    // x / (1 + |x|): tract's Abs, Add, Recip, Mul.
                    var x = Input(node, 0);
                    var denominator = Binary(node, TypedKind.Add, Make(TypedKind.Abs, [x], x.Shape, node.Name + ".abs"), Scalar(1, x.Shape.Length, node.Name + ".one"));
                    return [DivideByComputed(node, x, denominator)];
                }

            case "ReduceL1":
                return [ReduceOf(node, x => Make(TypedKind.Abs, [x], x.Shape, node.Name + ".abs"), null)];
            case "ReduceSumSquare":
                return [ReduceOf(node, Square, null)];
            case "ReduceL2":
                return [ReduceOf(node, Square, s => SqrtOf(node, s, node.Name + ".sqrt"))];
            case "ReduceLogSumExp":
                return [ReduceOf(node, x => Lookup(node, x, "Exp", Math.Exp, node.Name + ".exp"), s => Lookup(node, s, "Ln", Math.Log, node.Name + ".ln"))];
            case "InstanceNormalization":
                return [InstanceNorm(node)];
            default:
                return null;
        }

        TypedNode Square(TypedNode x) => new() { Kind = TypedKind.Pow, Inputs = [x], Shape = x.Shape, Origin = node.Name + ".square", Exponent = 2 };
    }

    private TypedNode ExponentialUnit(OnnxNode node, TypedNode x, float alpha, float gamma, string origin)
    {
        var rank = x.Shape.Length;
        var exp = Lookup(node, x, "Exp", Math.Exp, origin + ".exp");
        var negative = Binary(node, TypedKind.Mul, Binary(node, TypedKind.Sub, exp, Scalar(1, rank, origin + ".one")), Scalar(alpha * gamma, rank, origin + ".alpha"));
        var positive = gamma == 1f ? x : Binary(node, TypedKind.Mul, x, Scalar(gamma, rank, origin + ".gamma"));
        var isNegative = Compare(node, x, Scalar(0, rank, origin + ".zero"), "Less", origin + ".negative");
        return Where(node, isNegative, negative, positive, origin);
    }

    /// <summary>A reduction tract writes as an element-wise map, Reduce&lt;Sum&gt; and an optional map of the sums.</summary>
    private TypedNode ReduceOf(OnnxNode node, Func<TypedNode, TypedNode> before, Func<TypedNode, TypedNode>? after)
    {
        var x = Input(node, 0);
        var rank = x.Shape.Length;
        var axes = node.Ints("axes") ?? (OptionalInput(node, 1) is { } a ? (a.Value ?? throw Unsupported(node, "axes (input 1) must be constant")).AsLongs() : null);
        if (axes is null || axes.Length == 0)
        {
            axes = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        }

        var normalized = axes.Select(axis => (long)NormalizeAxis(node, axis, rank)).Distinct().Order().ToArray();
        var mapped = before(x);
        var summed = SumThenScale(node, mapped, normalized, mean: false);
        var result = after is null ? summed : after(summed);
        return node.Int("keepdims", 1) != 0 ? result : Reshape(result, x.Shape.Where((_, i) => !normalized.Contains(i)).ToArray(), node.Name);
    }

    /// <summary>InstanceNormalization as tract decomposes it: LayerNorm-style statistics over the spatial axes, then a
    /// per-channel scale and bias.</summary>
    private TypedNode InstanceNorm(OnnxNode node)
    {
        var x = Input(node, 0);
        var rank = x.Shape.Length;
        if (rank < 3)
        {
            throw Unsupported(node, "the input must have a channel axis and at least one spatial axis");
        }

        var axes = Enumerable.Range(2, rank - 2).Select(i => (long)i).ToArray();
        var kept = x.Shape.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray();
        var mean = SumThenScale(node, x, axes, mean: true);
        var centered = Binary(node, TypedKind.Sub, x, mean);
        var variance = new TypedNode { Kind = TypedKind.MeanOfSquares, Inputs = [centered], Shape = kept, Origin = node.Name + ".var", Axes = axes };
        var shifted = Binary(node, TypedKind.Add, variance, Scalar(node.Float("epsilon", 1e-5f), rank, node.Name + ".eps"));
        var normalized = Binary(node, TypedKind.Mul, centered, Make(TypedKind.Rsqrt, [shifted], kept, node.Name + ".rsqrt"));
        var channelShape = Enumerable.Repeat(1L, rank).ToArray();
        channelShape[1] = x.Shape[1];
        var scale = ConstInput(node, 1, "scale").Reshaped(channelShape);
        var bias = ConstInput(node, 2, "B").Reshaped(channelShape);
        return Binary(node, TypedKind.Add, Binary(node, TypedKind.Mul, normalized, Const(scale, node.Name + ".scale")), Const(bias, node.Name + ".bias"));
    }
}
