using System.Text;

namespace Zkml.Market;

/// <summary>A 20-byte Ethereum account address. <see cref="ToString"/> gives the EIP-55 mixed-case checksum form.</summary>
public readonly struct EthereumAddress : IEquatable<EthereumAddress>, IComparable<EthereumAddress>
{
    private readonly byte[]? _bytes;

    /// <summary>Creates an address from exactly 20 bytes.</summary>
    /// <exception cref="EthereumFormatException">The span is not 20 bytes long.</exception>
    public EthereumAddress(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 20)
        {
            throw new EthereumFormatException($"An address has 20 bytes, not {bytes.Length}.");
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>The zero address.</summary>
    public static EthereumAddress Zero { get; } = new(new byte[20]);

    /// <summary>The address bytes (a copy).</summary>
    public byte[] ToArray() => (byte[])Bytes.Clone();

    internal ReadOnlySpan<byte> Span => Bytes;

    private byte[] Bytes => _bytes ?? new byte[20];

    /// <summary>Whether this is the zero address.</summary>
    public bool IsZero => Bytes.AsSpan().IndexOfAnyExcept((byte)0) < 0;

    /// <summary>
    /// Parses a 0x-prefixed 40-digit hex address. All-lowercase and all-uppercase forms are accepted as they are; a
    /// mixed-case form must carry a valid EIP-55 checksum.
    /// </summary>
    /// <exception cref="EthereumFormatException">Bad length, bad hex or a wrong checksum.</exception>
    public static EthereumAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith("0x", StringComparison.Ordinal) || text.Length != 42)
        {
            throw new EthereumFormatException($"An address is 0x followed by 40 hex digits: '{text}'.");
        }

        var address = new EthereumAddress(HexConverter.FromHex(text));
        var digits = text.AsSpan(2);
        bool hasLower = digits.ContainsAny("abcdef"), hasUpper = digits.ContainsAny("ABCDEF");
        if (hasLower && hasUpper && address.ToString() != text)
        {
            throw new EthereumFormatException($"Address checksum (EIP-55) does not match: '{text}'.");
        }

        return address;
    }

    /// <summary>Parses like <see cref="Parse"/>, returning false instead of throwing.</summary>
    public static bool TryParse(string? text, out EthereumAddress address)
    {
        try
        {
            address = text is null ? default : Parse(text);
            return text is not null;
        }
        catch (EthereumFormatException)
        {
            address = default;
            return false;
        }
    }

    /// <summary>The EIP-55 checksummed form, e.g. <c>0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed</c>.</summary>
    public override string ToString()
    {
        var lower = Convert.ToHexStringLower(Bytes);
        var hash = Keccak256.Hash(Encoding.ASCII.GetBytes(lower));
        var result = new StringBuilder("0x", 42);
        for (var i = 0; i < 40; i++)
        {
            var nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
            result.Append(nibble >= 8 ? char.ToUpperInvariant(lower[i]) : lower[i]);
        }

        return result.ToString();
    }

    /// <inheritdoc />
    public bool Equals(EthereumAddress other) => Bytes.AsSpan().SequenceEqual(other.Bytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is EthereumAddress other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes);
        return hash.ToHashCode();
    }

    /// <summary>Orders addresses as unsigned 160-bit numbers (as Solidity compares them).</summary>
    public int CompareTo(EthereumAddress other) => Bytes.AsSpan().SequenceCompareTo(other.Bytes);

    /// <summary>Equality.</summary>
    public static bool operator ==(EthereumAddress left, EthereumAddress right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(EthereumAddress left, EthereumAddress right) => !left.Equals(right);

    /// <summary>Ordering.</summary>
    public static bool operator <(EthereumAddress left, EthereumAddress right) => left.CompareTo(right) < 0;

    /// <summary>Ordering.</summary>
    public static bool operator >(EthereumAddress left, EthereumAddress right) => left.CompareTo(right) > 0;

    /// <summary>Ordering.</summary>
    public static bool operator <=(EthereumAddress left, EthereumAddress right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering.</summary>
    public static bool operator >=(EthereumAddress left, EthereumAddress right) => left.CompareTo(right) >= 0;
}
