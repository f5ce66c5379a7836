using System.Globalization;
using System.Numerics;

namespace Zkml.Ezkl.Evm;

/// <summary>
/// Recursive-descent reader of halo2's <c>format!("{:?}", vk.pinned())</c> (zkonduit/halo2 f441c92, mv-lookup).
/// Every mismatch throws <see cref="FormatException"/> with the offset; <see cref="PinnedVerifyingKey"/> turns it
/// into the typed error.
/// </summary>
internal sealed class PinnedKeyReader
{
    private const int MaxDepth = 4096;
    private readonly string _text;
    private int _depth;

    public PinnedKeyReader(string text)
    {
        _text = text;
    }

    public int Position { get; private set; }

    public void Expect(string literal)
    {
        if (string.CompareOrdinal(_text, Position, literal, 0, literal.Length) != 0 || Position + literal.Length > _text.Length)
        {
            throw Error($"expected \"{literal}\"");
        }

        Position += literal.Length;
    }

    public bool TryExpect(string literal)
    {
        if (Position + literal.Length <= _text.Length && string.CompareOrdinal(_text, Position, literal, 0, literal.Length) == 0)
        {
            Position += literal.Length;
            return true;
        }

        return false;
    }

    public int ReadInt()
    {
        var start = Position;
        if (Position < _text.Length && _text[Position] == '-')
        {
            Position++;
        }

        while (Position < _text.Length && char.IsAsciiDigit(_text[Position]))
        {
            Position++;
        }

        if (!int.TryParse(_text.AsSpan(start, Position - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Position = start;
            throw Error("expected an integer");
        }

        return value;
    }

    public BigInteger ReadField()
    {
        Expect("0x");
        var start = Position;
        while (Position < _text.Length && char.IsAsciiHexDigitLower(_text[Position]))
        {
            Position++;
        }

        if (Position - start != 64)
        {
            throw Error("expected 64 lowercase hex digits");
        }

        return BigInteger.Parse("0" + _text.AsSpan(start, 64).ToString(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    public string ReadQuoted()
    {
        Expect("\"");
        var start = Position;
        while (Position < _text.Length && _text[Position] != '"')
        {
            Position += _text[Position] == '\\' ? 2 : 1;
        }

        if (Position >= _text.Length)
        {
            throw Error("unterminated string");
        }

        var value = _text[start..Position];
        Position++;
        return value;
    }

    public bool ReadBool()
    {
        if (TryExpect("true"))
        {
            return true;
        }

        Expect("false");
        return false;
    }

    /// <summary>Reads <c>open item, item, ... close</c> (Rust Debug never emits a trailing comma on one line).</summary>
    public List<T> ReadList<T>(string open, string close, Func<T> item)
    {
        Expect(open);
        var items = new List<T>();
        if (TryExpect(close))
        {
            return items;
        }

        while (true)
        {
            items.Add(item());
            if (TryExpect(close))
            {
                return items;
            }

            Expect(", ");
        }
    }

    public int ReadPhase()
    {
        Expect("Phase(");
        var phase = ReadInt();
        Expect(")");
        return phase;
    }

    public int ReadRotation()
    {
        Expect("Rotation(");
        var rotation = ReadInt();
        Expect(")");
        return rotation;
    }

    public PinnedColumn ReadColumn()
    {
        Expect("Column { index: ");
        var index = ReadInt();
        Expect(", column_type: ");
        PinnedColumn column;
        if (TryExpect("Advice"))
        {
            var phase = 0;
            if (TryExpect(" { phase: "))
            {
                phase = ReadPhase();
                Expect(" }");
            }

            column = new PinnedColumn(ColumnKind.Advice, index, phase);
        }
        else if (TryExpect("Fixed"))
        {
            column = new PinnedColumn(ColumnKind.Fixed, index);
        }
        else
        {
            Expect("Instance");
            column = new PinnedColumn(ColumnKind.Instance, index);
        }

        Expect(" }");
        return column;
    }

    public PinnedQuery ReadQuery()
    {
        Expect("(");
        var column = ReadColumn();
        Expect(", ");
        var rotation = ReadRotation();
        Expect(")");
        return new PinnedQuery(column, rotation);
    }

    public G1Affine ReadG1()
    {
        if (TryExpect("Infinity"))
        {
            return default;
        }

        Expect("(");
        var x = ReadField();
        Expect(", ");
        var y = ReadField();
        Expect(")");
        return new G1Affine(x, y);
    }

    public List<PinnedExpression> ReadExpressions() => ReadList("[", "]", ReadExpression);

    public PinnedExpression ReadExpression()
    {
        if (++_depth > MaxDepth)
        {
            throw Error("expression nested too deeply");
        }

        try
        {
            return ReadExpressionCore();
        }
        finally
        {
            _depth--;
        }
    }

    public FormatException Error(string message)
    {
        var excerpt = _text.Substring(Position, Math.Min(40, _text.Length - Position));
        return new FormatException($"{message} at offset {Position} (\"{excerpt}\")");
    }

    private PinnedExpression ReadExpressionCore()
    {
        if (TryExpect("Constant("))
        {
            var value = ReadField();
            Expect(")");
            return new ConstantExpression(value);
        }

        if (TryExpect("Selector(Selector("))
        {
            var index = ReadInt();
            Expect(", ");
            var simple = ReadBool();
            Expect("))");
            return new SelectorExpression(index, simple);
        }

        if (TryExpect("Negated("))
        {
            var inner = ReadExpression();
            Expect(")");
            return new NegatedExpression(inner);
        }

        if (TryExpect("Sum("))
        {
            var left = ReadExpression();
            Expect(", ");
            var right = ReadExpression();
            Expect(")");
            return new SumExpression(left, right);
        }

        if (TryExpect("Product("))
        {
            var left = ReadExpression();
            Expect(", ");
            var right = ReadExpression();
            Expect(")");
            return new ProductExpression(left, right);
        }

        if (TryExpect("Scaled("))
        {
            var inner = ReadExpression();
            Expect(", ");
            var factor = ReadField();
            Expect(")");
            return new ScaledExpression(inner, factor);
        }

        if (TryExpect("Challenge(Challenge { index: "))
        {
            var index = ReadInt();
            Expect(", phase: ");
            var phase = ReadPhase();
            Expect(" })");
            return new ChallengeExpression(index, phase);
        }

        ColumnKind kind;
        if (TryExpect("Fixed { "))
        {
            kind = ColumnKind.Fixed;
        }
        else if (TryExpect("Advice { "))
        {
            kind = ColumnKind.Advice;
        }
        else if (TryExpect("Instance { "))
        {
            kind = ColumnKind.Instance;
        }
        else
        {
            throw Error("expected an expression");
        }

        Expect("query_index: ");
        int? queryIndex = TryExpect("None") ? null : ReadInt();
        Expect(", column_index: ");
        var columnIndex = ReadInt();
        Expect(", rotation: ");
        var rotation = ReadRotation();
        var queryPhase = 0;
        if (TryExpect(", phase: "))
        {
            queryPhase = ReadPhase();
        }

        Expect(" }");
        return new QueryExpression(kind, queryIndex, columnIndex, rotation, queryPhase);
    }
}
