namespace Zkml.Ezkl.Evm;

/// <summary>
/// Turns a constraint-system expression into Yul that evaluates it at x from the proof's evaluations. Nested
/// calls are kept shallow (at most <see cref="MaxHeight"/> levels) so the EVM stack never runs deep: a deeper
/// subexpression is stored into a scratch word first and read back.
/// </summary>
internal sealed class ExpressionCompiler
{
    /// <summary>Nesting depth of one Yul expression; each level keeps two words on the stack.</summary>
    private const int MaxHeight = 4;

    private readonly EvmCircuitLayout _layout;
    private readonly int _instanceEval;
    private readonly int _tempBase;
    private int _temps;

    public ExpressionCompiler(EvmCircuitLayout layout, int instanceEvalSlot, int tempBase)
    {
        _layout = layout;
        _instanceEval = instanceEvalSlot;
        _tempBase = tempBase;
    }

    /// <summary>The most scratch words any expression needed.</summary>
    public int MaxTemps { get; private set; }

    /// <summary>
    /// Appends the statements that spill deep subexpressions to <paramref name="lines"/> and returns one Yul
    /// expression for the value (reduced mod r, or exactly r for a negated zero, which every later op reduces).
    /// </summary>
    public string Compile(PinnedExpression expression, List<string> lines)
    {
        _temps = 0;
        var (code, _) = Emit(expression, lines);
        return code;
    }

    private (string Code, int Height) Emit(PinnedExpression expression, List<string> lines)
    {
        switch (expression)
        {
            case ConstantExpression c:
                return (YulWriter.Word(c.Value), 0);
            case QueryExpression q:
                return (Leaf(q), 1);
            case NegatedExpression n:
                {
                    var inner = Shallow(Emit(n.Inner, lines), lines);
                    return ($"sub(r, {inner.Code})", inner.Height + 1);
                }

            case SumExpression s:
                return Binary("addmod", s.Left, s.Right, lines);
            case ProductExpression p:
                return Binary("mulmod", p.Left, p.Right, lines);
            case ScaledExpression s:
                {
                    var inner = Shallow(Emit(s.Inner, lines), lines);
                    return ($"mulmod({inner.Code}, {YulWriter.Word(s.Factor)}, r)", inner.Height + 1);
                }

            case SelectorExpression:
                throw new EvmVerifierException(
                    EvmVerifierFailure.UnsupportedCircuit,
                    "The Solidity verifier does not support a selector left in a gate or lookup (halo2 removes them when it compresses selectors).");
            case ChallengeExpression:
                throw new EvmVerifierException(EvmVerifierFailure.UnsupportedCircuit, "The Solidity verifier does not support challenges.");
            default:
                throw new InvalidOperationException("unknown expression " + expression.GetType().Name);
        }
    }

    private (string Code, int Height) Binary(string op, PinnedExpression left, PinnedExpression right, List<string> lines)
    {
        var a = Shallow(Emit(left, lines), lines);
        var b = Shallow(Emit(right, lines), lines);
        return ($"{op}({a.Code}, {b.Code}, r)", Math.Max(a.Height, b.Height) + 1);
    }

    private (string Code, int Height) Shallow((string Code, int Height) value, List<string> lines)
    {
        if (value.Height < MaxHeight)
        {
            return value;
        }

        var slot = YulWriter.Hex(_tempBase + (0x20 * _temps));
        _temps++;
        MaxTemps = Math.Max(MaxTemps, _temps);
        lines.Add($"mstore({slot}, {value.Code})");
        return ($"mload({slot})", 1);
    }

    private string Leaf(QueryExpression query)
    {
        switch (query.Kind)
        {
            case ColumnKind.Instance:
                return $"mload({YulWriter.Hex(_instanceEval)})";
            case ColumnKind.Advice when query.QueryIndex is int index && index < _layout.AdviceQueries.Count
                && _layout.AdviceQueries[index] == new PinnedQuery(new PinnedColumn(ColumnKind.Advice, query.ColumnIndex), query.Rotation):
                return $"calldataload({YulWriter.Hex(_layout.AdviceEvals + (0x20 * index))})";
            case ColumnKind.Fixed when query.QueryIndex is int index && index < _layout.FixedQueries.Count
                && _layout.FixedQueries[index] == new PinnedQuery(new PinnedColumn(ColumnKind.Fixed, query.ColumnIndex), query.Rotation):
                return $"calldataload({YulWriter.Hex(_layout.FixedEvals + (0x20 * index))})";
            default:
                return $"calldataload({YulWriter.Hex(_layout.QueryEval(query.Kind, query.ColumnIndex, query.Rotation))})";
        }
    }
}
