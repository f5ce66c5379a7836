using System.Numerics;

namespace Zkml.Ezkl.Evm;

/// <summary>
/// Turns constraint-system expressions into Yul that evaluates them at x from the proof's evaluations. Nested
/// calls are kept shallow (at most <see cref="MaxHeight"/> levels) so the EVM stack never runs deep: a deeper
/// subexpression is stored into a scratch word first and read back. A subexpression that occurs more than once
/// among all the expressions (selector polynomials repeat across gates) is computed once and kept in memory;
/// constants fold.
/// </summary>
internal sealed class ExpressionCompiler
{
    /// <summary>Nesting depth of one Yul expression; each level keeps two words on the stack.</summary>
    private const int MaxHeight = 4;

    private readonly EvmCircuitLayout _layout;
    private readonly int _instanceEval;
    private readonly int _tempBase;
    private readonly Dictionary<PinnedExpression, int> _occurrences = [];
    private readonly Dictionary<PinnedExpression, string> _cached = [];
    private int _temps;

    public ExpressionCompiler(EvmCircuitLayout layout, int instanceEvalSlot, int tempBase)
    {
        _layout = layout;
        _instanceEval = instanceEvalSlot;
        _tempBase = tempBase;
    }

    /// <summary>The scratch words the expressions needed.</summary>
    public int MaxTemps => _temps;

    /// <summary>Counts repeated subexpressions among everything that will be compiled (call before <see cref="Compile"/>).</summary>
    public void Prepare(IEnumerable<PinnedExpression> expressions)
    {
        foreach (var expression in expressions)
        {
            Count(expression);
        }
    }

    /// <summary>
    /// Appends the statements that spill deep subexpressions to <paramref name="lines"/> and returns one Yul
    /// expression for the value (reduced mod r, or exactly r for a negated zero, which every later op reduces).
    /// </summary>
    public string Compile(PinnedExpression expression, List<string> lines)
    {
        return Emit(expression, lines).Code;
    }

    private void Count(PinnedExpression expression)
    {
        if (expression is ConstantExpression or QueryExpression or SelectorExpression or ChallengeExpression)
        {
            return;
        }

        if (_occurrences.TryGetValue(expression, out var seen))
        {
            // The children of a repeated expression are computed once with it: count them once.
            _occurrences[expression] = seen + 1;
            return;
        }

        _occurrences[expression] = 1;
        switch (expression)
        {
            case NegatedExpression n:
                Count(n.Inner);
                break;
            case ScaledExpression s:
                Count(s.Inner);
                break;
            case SumExpression s:
                Count(s.Left);
                Count(s.Right);
                break;
            case ProductExpression p:
                Count(p.Left);
                Count(p.Right);
                break;
        }
    }

    private Value Emit(PinnedExpression expression, List<string> lines)
    {
        if (_cached.TryGetValue(expression, out var slot))
        {
            return new Value($"mload({slot})", 1, null);
        }

        var value = EmitCore(expression, lines);
        if (value.Height >= 2 && _occurrences.TryGetValue(expression, out var count) && count >= 2)
        {
            var stored = Store(value, lines);
            _cached[expression] = stored.Code[6..^1];
            return stored;
        }

        return value;
    }

    private Value EmitCore(PinnedExpression expression, List<string> lines)
    {
        switch (expression)
        {
            case ConstantExpression c:
                return Value.Of(c.Value);
            case QueryExpression q:
                return new Value(Leaf(q), 1, null);
            case NegatedExpression n:
                {
                    var inner = Shallow(Emit(n.Inner, lines), lines);
                    return inner.Constant is { } k ? Value.Of(Field(-k)) : new Value($"sub(r, {inner.Code})", inner.Height + 1, null);
                }

            case SumExpression s:
                {
                    var (a, b) = (Emit(s.Left, lines), Emit(s.Right, lines));
                    if (a.Constant is { } x && b.Constant is { } y)
                    {
                        return Value.Of(Field(x + y));
                    }

                    // x + 0 = x (a negated zero may stay r, which every later operation reduces).
                    return a.Constant is { IsZero: true } ? b : b.Constant is { IsZero: true } ? a : Binary("addmod", a, b, lines);
                }

            case ProductExpression p:
                {
                    var (a, b) = (Emit(p.Left, lines), Emit(p.Right, lines));
                    if (a.Constant is { } x && b.Constant is { } y)
                    {
                        return Value.Of(Field(x * y));
                    }

                    if (a.Constant is { IsZero: true } || b.Constant is { IsZero: true })
                    {
                        return Value.Of(BigInteger.Zero);
                    }

                    return a.Constant is { IsOne: true } ? b : b.Constant is { IsOne: true } ? a : Binary("mulmod", a, b, lines);
                }

            case ScaledExpression s:
                {
                    var inner = Emit(s.Inner, lines);
                    if (inner.Constant is { } k)
                    {
                        return Value.Of(Field(k * s.Factor));
                    }

                    return s.Factor.IsZero ? Value.Of(BigInteger.Zero) : s.Factor.IsOne ? inner : Binary("mulmod", inner, Value.Of(s.Factor), lines);
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

    private static BigInteger Field(BigInteger value)
    {
        var m = value % PinnedVerifyingKey.ScalarModulus;
        return m.Sign < 0 ? m + PinnedVerifyingKey.ScalarModulus : m;
    }

    private Value Binary(string op, Value left, Value right, List<string> lines)
    {
        var a = Shallow(left, lines);
        var b = Shallow(right, lines);
        return new Value($"{op}({a.Code}, {b.Code}, r)", Math.Max(a.Height, b.Height) + 1, null);
    }

    private Value Shallow(Value value, List<string> lines)
    {
        return value.Height < MaxHeight ? value : Store(value, lines);
    }

    private Value Store(Value value, List<string> lines)
    {
        var slot = YulWriter.Hex(_tempBase + (0x20 * _temps));
        _temps++;
        lines.Add($"mstore({slot}, {value.Code})");
        return new Value($"mload({slot})", 1, null);
    }

    /// <summary>Yul code, its nesting height, and its value when it is a known constant.</summary>
    private readonly record struct Value(string Code, int Height, BigInteger? Constant)
    {
        public static Value Of(BigInteger constant) => new(YulWriter.Word(constant), 0, constant);
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
