using System.Globalization;
using System.Numerics;

namespace Zkml.Market;

/// <summary>Hex strings as Ethereum writes them: lowercase, 0x-prefixed.</summary>
public static class HexConverter
{
    /// <summary>Bytes as a 0x-prefixed lowercase hex string.</summary>
    public static string ToHex(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);

    /// <summary>Parses hex with or without the 0x prefix; an odd length or a non-hex digit is an error.</summary>
    /// <exception cref="EthereumFormatException">The text is not hex.</exception>
    public static byte[] FromHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var digits = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex.AsSpan(2) : hex.AsSpan();
        if (digits.Length % 2 != 0)
        {
            throw new EthereumFormatException($"Hex string has an odd number of digits: '{Shorten(hex)}'.");
        }

        try
        {
            return Convert.FromHexString(digits);
        }
        catch (FormatException e)
        {
            throw new EthereumFormatException($"Not a hex string: '{Shorten(hex)}'.", e);
        }
    }

    /// <summary>A JSON-RPC QUANTITY: 0x-prefixed hex without leading zeros (0 is <c>0x0</c>).</summary>
    public static string ToQuantity(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new EthereumFormatException("A quantity cannot be negative.");
        }

        return value.IsZero ? "0x0" : "0x" + value.ToString("x", CultureInfo.InvariantCulture).TrimStart('0');
    }

    /// <summary>Parses a JSON-RPC QUANTITY (or any 0x hex number) as an unsigned integer.</summary>
    public static BigInteger ParseQuantity(string quantity)
    {
        ArgumentNullException.ThrowIfNull(quantity);
        var digits = quantity.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? quantity[2..] : quantity;
        if (digits.Length == 0)
        {
            return BigInteger.Zero;
        }

        if (!BigInteger.TryParse("0" + digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw new EthereumFormatException($"Not a hex quantity: '{Shorten(quantity)}'.");
        }

        return value;
    }

    /// <summary>Unsigned big-endian bytes of a non-negative integer, without leading zeros (0 is empty).</summary>
    internal static byte[] ToBigEndian(BigInteger value) =>
        value.IsZero ? [] : value.ToByteArray(isUnsigned: true, isBigEndian: true);

    /// <summary>An unsigned big-endian integer.</summary>
    internal static BigInteger FromBigEndian(ReadOnlySpan<byte> bytes) => new(bytes, isUnsigned: true, isBigEndian: true);

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "...";
}
