using Zkml.Ezkl.Onnx;

namespace Zkml.Ezkl.Compilation.Normalization;

/// <summary>Ops ezkl lays out with its division gadgets (Hybrid Recip, Sqrt, Rsqrt, Softmax) and the compositions
/// tract makes of them: Div by a computed value, Pow, LayerNormalization.</summary>
internal sealed partial class OnnxNormalizer
{
    private IReadOnlyList<TypedNode>? LowerDivision(OnnxNode node)
    {
        switch (node.OpType)
        {
            case "Reciprocal":
                return [Recip(node, Input(node, 0), node.Name)];
            case "Sqrt":
                return [SqrtOf(node, Input(node, 0), node.Name)];
            case "Pow":
                return [PowOp(node)];
            case "Softmax":
                return [Softmax(node)];
            case "LayerNormalization":
                return [LayerNorm(node)];
            default:
                return null;
        }
    }

    /// <summary>tract: a float Div by a computed value is Mul(a, Recip(b)).</summary>
    private TypedNode DivideByComputed(OnnxNode node, TypedNode a, TypedNode b) =>
        Binary(node, TypedKind.Mul, a, Recip(node, b, node.Name + ".recip"));

    private TypedNode Recip(OnnxNode node, TypedNode x, string origin) => x.Value is { } v
        ? Const(new DenseTensor(v.Shape, v.Data.Select(d => (double)(float)(1 / d)).ToArray(), ElementKind.Float), origin)
        : Make(TypedKind.Recip, [x], x.Shape, origin);

    private TypedNode SqrtOf(OnnxNode node, TypedNode x, string origin) => x.Value is { } v
        ? Const(new DenseTensor(v.Shape, v.Data.Select(d => (double)(float)Math.Sqrt(d)).ToArray(), ElementKind.Float), origin)
        : Make(TypedKind.Sqrt, [x], x.Shape, origin);

    private TypedNode PowOp(OnnxNode node)
    {
        var x = Input(node, 0);
        var e = Input(node, 1);
        if (x.Value is { } xv && e.Value is { } ev)
        {
            return Const(Elementwise(xv, ev, (a, b) => (float)Math.Pow(a, b), node), node.Name);
        }

        if (e.Value is not { } exponentTensor)
        {
            throw Unsupported(node, "a computed exponent is not supported (ezkl needs a constant exponent or a constant base)");
        }

        if (exponentTensor.Data.Length != 1)
        {
            throw Unsupported(node, "ezkl needs a single (scalar) exponent");
        }

        var exponent = exponentTensor.Data[0];
        if (exponent == 0.5)
        {
            return SqrtOf(node, x, node.Name); // tract: Pow 0.5 is Sqrt
        }

        if (exponent == Math.Floor(exponent) && exponent < 1)
        {
            throw Unsupported(node, $"an integer exponent {exponent} below 1 is not supported (ezkl's Poly Pow takes u32)");
        }

        return new TypedNode { Kind = TypedKind.Pow, Inputs = [x], Shape = x.Shape, Origin = node.Name, Exponent = exponent };
    }

    private TypedNode Softmax(OnnxNode node)
    {
        var x = Input(node, 0);
        var axis = NormalizeAxis(node, node.Int("axis", -1), x.Shape.Length);
        if (x.Value is not null)
        {
            throw Unsupported(node, "a softmax of constants is not folded yet");
        }

        return new TypedNode { Kind = TypedKind.Softmax, Inputs = [x], Shape = x.Shape, Origin = node.Name, Axes = [axis] };
    }

    /// <summary>tract's LayerNormalization: mean = Sum/n, d = x − mean, var = MeanOfSquares(d), d · Rsqrt(var + ε),
    /// then the scale and bias.</summary>
    private TypedNode LayerNorm(OnnxNode node)
    {
        var x = Input(node, 0);
        var rank = x.Shape.Length;
        var axis = NormalizeAxis(node, node.Int("axis", -1), rank);
        var axes = Enumerable.Range(axis, rank - axis).Select(i => (long)i).ToArray();
        var count = axes.Aggregate(1L, (p, a) => p * x.Shape[a]);
        var kept = x.Shape.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray();
        if (node.Outputs.Count > 1 && node.Outputs.Skip(1).Any(o => o.Length > 0))
        {
            throw Unsupported(node, "the Mean and InvStdDev outputs are not supported");
        }

        var sum = new TypedNode { Kind = TypedKind.Sum, Inputs = [x], Shape = kept, Origin = node.Name + ".sum", Axes = axes };
        var mean = Binary(node, TypedKind.Mul, sum, Scalar(1.0 / count, rank, node.Name + ".1/n"));
        var centered = Binary(node, TypedKind.Sub, x, mean);
        var variance = new TypedNode { Kind = TypedKind.MeanOfSquares, Inputs = [centered], Shape = kept, Origin = node.Name + ".var", Axes = axes };
        var shifted = Binary(node, TypedKind.Add, variance, Scalar(node.Float("epsilon", 1e-5f), rank, node.Name + ".eps"));
        var inverse = Make(TypedKind.Rsqrt, [shifted], kept, node.Name + ".rsqrt");
        var normalized = Binary(node, TypedKind.Mul, centered, inverse);
        var scaled = Binary(node, TypedKind.Mul, normalized, Input(node, 1));
        return OptionalInput(node, 2) is { } bias ? Binary(node, TypedKind.Add, scaled, bias) : scaled;
    }
}
