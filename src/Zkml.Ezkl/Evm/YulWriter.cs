using System.Globalization;
using System.Numerics;
using System.Text;

namespace Zkml.Ezkl.Evm;

/// <summary>Indented lines of Solidity/Yul source, and the literal formats the generator emits.</summary>
internal sealed class YulWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public YulWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', 4 * _indent);
        }

        _text.Append(line).Append('\n');
        return this;
    }

    public YulWriter Lines(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            Line(line);
        }

        return this;
    }

    /// <summary>Writes <c>header {</c>, runs <paramref name="body"/> indented, then <c>}</c>.</summary>
    public YulWriter Block(string header, Action body)
    {
        Line(header.Length == 0 ? "{" : header + " {");
        _indent++;
        body();
        _indent--;
        return Line("}");
    }

    public override string ToString() => _text.ToString();

    /// <summary>A field element as a Yul literal: decimal below 2^16, otherwise minimal hex.</summary>
    public static string Word(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value));
        }

        return value < 65536 ? value.ToString(CultureInfo.InvariantCulture) : "0x" + value.ToString("x", CultureInfo.InvariantCulture).TrimStart('0');
    }

    /// <summary>A memory or calldata offset as a hex literal.</summary>
    public static string Hex(int value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);
}
