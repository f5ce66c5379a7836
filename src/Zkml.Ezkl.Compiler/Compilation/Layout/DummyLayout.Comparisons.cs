using System.Numerics;

namespace Zkml.Ezkl.Compilation.Layout;

/// <summary>The layouts ezkl builds from <c>sign</c> and <c>equals_zero</c> (layouts.rs <c>greater</c>,
/// <c>greater_equal</c>, <c>less</c>, <c>less_equal</c>, <c>equals</c>, <c>max_comp</c>, <c>min_comp</c>, <c>iff</c>,
/// <c>and</c>, <c>or</c>, <c>xor</c>, <c>boolean_identity</c>).</summary>
internal sealed partial class DummyLayout
{
    private static Cells One => Cells.Constant(BigInteger.One, 1);

    private Cells Comparison(string name, Cells a, Cells b)
    {
        switch (name)
        {
            case "Greater":
                return Greater(a, b);
            case "GreaterEqual":
                return GreaterEqual(a, b);
            case "Less":
                return Greater(b, a);
            case "LessEqual":
                return GreaterEqual(b, a);
            case "Equals":
                return EqualsZero(Pairwise(a, b));
            default:
                {
                    // max_comp / min_comp: the greater mask, its negation, both masked products and their sum.
                    var isGreater = Greater(a, b);
                    var isLess = Not(isGreater);
                    var first = Pairwise(a, name == "Max" ? isGreater : isLess);
                    var second = Pairwise(b, name == "Max" ? isLess : isGreater);
                    return Pairwise(first, second);
                }
        }
    }

    private Cells Greater(Cells a, Cells b)
    {
        var shape = BroadcastShape(a.Dims, b.Dims);
        var difference = Pairwise(Expand(a, shape), Expand(b, shape));
        var sign = Sign(difference);
        return EqualsZero(Pairwise(sign, One));
    }

    private Cells GreaterEqual(Cells a, Cells b) => Greater(Pairwise(a, One), b);

    private Cells BooleanIdentity(Cells x)
    {
        _region.Assign(x);
        _region.Increment(x.Length);
        RangeCheck(x, 0, 1);
        return Mark(x);
    }

    private Cells Iff(Cells mask, Cells a, Cells b)
    {
        var assigned = BooleanIdentity(mask);
        var oneMinus = Pairwise(One, assigned);
        var maskedA = Pairwise(a, assigned);
        var maskedB = Pairwise(b, oneMinus);
        return Pairwise(maskedA, maskedB);
    }

    private Cells And(Cells a, Cells b) => Pairwise(BooleanIdentity(a), BooleanIdentity(b));

    private Cells Or(Cells a, Cells b) => Iff(a, a, BooleanIdentity(b));

    private Cells Xor(Cells a, Cells b)
    {
        var notA = Not(a);
        var notB = Not(b);
        var left = And(a, notB);
        var right = And(b, notA);
        return Pairwise(left, right);
    }
}
