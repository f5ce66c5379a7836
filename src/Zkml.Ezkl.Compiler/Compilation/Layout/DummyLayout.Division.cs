using System.Numerics;
using Zkml.Ezkl.Compilation.Circuit;

namespace Zkml.Ezkl.Compilation.Layout;

/// <summary>The layouts of ezkl's division gadgets (layouts.rs <c>recip</c>, <c>sqrt</c>, <c>rsqrt</c>,
/// <c>optimum_convex_function</c>, <c>l1_distance</c>, <c>softmax</c>/<c>percent</c>, <c>mean_of_squares_axes</c>,
/// <c>pow</c>).</summary>
internal sealed partial class DummyLayout
{
    private Cells Abs(Cells x) => Pairwise(x, Sign(x));

    private Cells L1Distance(Cells a, Cells b) => Abs(Pairwise(a, b));

    /// <summary>x is the integer optimum of a convex f: f(x) &lt; f(x−1) and f(x) ≤ f(x+1).</summary>
    private Cells OptimumConvex(Cells x, Func<Cells, Cells> f)
    {
        var fx = f(x);
        var fPlus = f(Pairwise(x, One));
        var fMinus = f(Pairwise(x, One));
        var right = GreaterEqual(fPlus, fx);
        var left = Greater(fMinus, fx);
        return And(left, right);
    }

    private Cells Recip(Cells x, BigInteger inputScale, BigInteger outputScale)
    {
        var claimed = Identity(Cells.Unknown(x.Dims), decomp: true);
        var zeroInverse = outputScale * BigInteger.Pow(2, 52); // round(out / f64::EPSILON)
        var isZero = EqualsZero(x);
        var notZero = Not(isZero);
        var isZeroInverse = EqualsZero(Pairwise(claimed, Cells.Constant(zeroInverse, 1)));
        var maskedUnit = Pairwise(Cells.Constant(outputScale * inputScale, 1), notZero);
        EnforceEquality(isZero, isZeroInverse);
        var isOptimum = OptimumConvex(claimed, c => L1Distance(Pairwise(c, x), maskedUnit));
        isOptimum = Pairwise(isOptimum, isZero);
        EnforceEquality(isOptimum, Cells.Constant(BigInteger.One, isOptimum.Length));
        return claimed;
    }

    private Cells Sqrt(Cells x, BigInteger scale)
    {
        var claimed = Abs(Cells.Unknown(x.Dims));
        var rescaled = Pairwise(x, Cells.Constant(scale, 1));
        var isOptimum = OptimumConvex(claimed, c => L1Distance(Pairwise(c, c), rescaled));
        EnforceEquality(isOptimum, Cells.Constant(BigInteger.One, isOptimum.Length));
        return claimed;
    }

    private Cells Power(Cells x, uint exponent)
    {
        var t = x;
        for (var i = 1u; i < exponent; i++)
        {
            t = Pairwise(t, x);
        }

        return t;
    }

    private Cells MeanOfSquares(Cells x, int[] axes)
    {
        var sums = SumAxes(Power(x, 2), axes);
        return Div(sums, new BigInteger(x.Length / sums.Length));
    }

    /// <summary>softmax_axes through multi_dim_axes_op: the input assigned once, then per slice the max (a sort),
    /// the shift, the Exp lookup and percent (sum, recip, product).</summary>
    private Cells Softmax(Cells x, float inputScale, float outputScale, int[] axes)
    {
        if (!x.Assigned)
        {
            _region.Assign(x);
            _region.Increment(x.Length);
            x = Mark(x);
        }

        var exp = CircuitOp.Lookup("Exp", inputScale, (float)Math.E);
        Cells SoftmaxOf(Cells slice)
        {
            var max = SortedExtreme(slice, max: true);
            var shifted = Pairwise(slice, max);
            var ex = Nonlinearity(shifted, exp);
            if (!ex.Assigned)
            {
                _region.Assign(ex);
                _region.Increment(ex.Length);
                ex = Mark(ex);
            }

            var denominator = Sum(ex);
            var inverse = Recip(denominator, new BigInteger(inputScale), new BigInteger(outputScale));
            return Pairwise(ex, inverse);
        }

        return MultiDimAxes(x, axes, SoftmaxOf);
    }

    /// <summary>layouts.rs <c>multi_dim_axes_op</c> after the input is assigned: the op on every slice along
    /// <paramref name="axes"/> (flattened), in row-major order of the other axes.</summary>
    private Cells MultiDimAxes(Cells x, int[] axes, Func<Cells, Cells> op)
    {
        if (x.Dims.Length == 1)
        {
            return op(x);
        }

        var others = Enumerable.Range(0, x.Dims.Length).Where(d => !axes.Contains(d)).ToArray();
        var strides = Onnx.ShapeMath.Strides(x.Dims);
        var outer = others.Aggregate(1L, (p, d) => p * x.Dims[d]);
        var inner = axes.Aggregate(1L, (p, d) => p * x.Dims[d]);
        var outLength = inner;
        for (long o = 0; o < outer; o++)
        {
            var items = new BigInteger?[inner];
            for (long k = 0; k < inner; k++)
            {
                long source = 0, restO = o, restK = k;
                for (var j = others.Length - 1; j >= 0; j--)
                {
                    source += (restO % x.Dims[others[j]]) * strides[others[j]];
                    restO /= x.Dims[others[j]];
                }

                for (var j = axes.Length - 1; j >= 0; j--)
                {
                    source += (restK % x.Dims[axes[j]]) * strides[axes[j]];
                    restK /= x.Dims[axes[j]];
                }

                items[k] = x.Items[source];
            }

            outLength = op(new Cells(items, [inner]) { Assigned = x.Assigned }).Length;
        }

        var shape = x.Dims.ToArray();
        if (axes.Length == 1)
        {
            shape[axes[0]] = outLength;
        }

        return Mark(Cells.Unknown(shape));
    }

    /// <summary>topk_axes: per slice, the sort (unsorted collisions) read from the top or the bottom, first k.</summary>
    private Cells TopK(Cells x, int dim, int k, bool largest)
    {
        if (!x.Assigned)
        {
            _region.Assign(x);
            _region.Increment(x.Length);
            x = Mark(x);
        }

        return MultiDimAxes(x, [dim], slice =>
        {
            var (sorted, _) = SortAscending(slice, SortCollisions.Unsorted);
            var ordered = largest ? sorted.Items.Reverse().ToArray() : sorted.Items;
            return new Cells(ordered[..k], [k]) { Assigned = sorted.Assigned };
        });
    }
}
