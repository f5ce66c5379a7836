using System.Numerics;

namespace Zkml.Ezkl.Evm;

/// <summary>The kind of a halo2 column.</summary>
internal enum ColumnKind
{
    Advice,
    Fixed,
    Instance,
}

/// <summary>A column of the constraint system (advice columns also carry their phase).</summary>
internal readonly record struct PinnedColumn(ColumnKind Kind, int Index, int Phase = 0);

/// <summary>A query: a column at a rotation.</summary>
internal readonly record struct PinnedQuery(PinnedColumn Column, int Rotation);

/// <summary>An affine BN254 G1 point with canonical coordinates; the identity is (0, 0).</summary>
internal readonly record struct G1Affine(BigInteger X, BigInteger Y)
{
    public bool IsIdentity => X.IsZero && Y.IsZero;
}

/// <summary>A polynomial expression of halo2's constraint system, as its Debug form prints it.</summary>
internal abstract record PinnedExpression
{
    /// <summary>halo2's <c>Expression::degree</c>.</summary>
    public abstract int Degree { get; }
}

internal sealed record ConstantExpression(BigInteger Value) : PinnedExpression
{
    public override int Degree => 0;
}

internal sealed record SelectorExpression(int Index, bool IsSimple) : PinnedExpression
{
    public override int Degree => 1;
}

internal sealed record QueryExpression(ColumnKind Kind, int? QueryIndex, int ColumnIndex, int Rotation, int Phase = 0) : PinnedExpression
{
    public override int Degree => 1;
}

internal sealed record ChallengeExpression(int Index, int Phase) : PinnedExpression
{
    public override int Degree => 0;
}

internal sealed record NegatedExpression(PinnedExpression Inner) : PinnedExpression
{
    public override int Degree => Inner.Degree;
}

internal sealed record SumExpression(PinnedExpression Left, PinnedExpression Right) : PinnedExpression
{
    public override int Degree => Math.Max(Left.Degree, Right.Degree);
}

internal sealed record ProductExpression(PinnedExpression Left, PinnedExpression Right) : PinnedExpression
{
    public override int Degree => Left.Degree + Right.Degree;
}

internal sealed record ScaledExpression(PinnedExpression Inner, BigInteger Factor) : PinnedExpression
{
    public override int Degree => Inner.Degree;
}

/// <summary>An mv-lookup (logUp) argument: one table, several input tuples (already chunked by degree).</summary>
internal sealed record PinnedLookup(IReadOnlyList<PinnedExpression> TableExpressions, IReadOnlyList<IReadOnlyList<PinnedExpression>> InputsExpressions);

/// <summary>A shuffle argument (parsed so that the generator can refuse it clearly).</summary>
internal sealed record PinnedShuffle(IReadOnlyList<PinnedExpression> InputExpressions, IReadOnlyList<PinnedExpression> ShuffleExpressions);
