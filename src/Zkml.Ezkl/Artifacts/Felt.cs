using System.Globalization;
using System.Numerics;

namespace Zkml.Ezkl;

/// <summary>
/// An element of BN254's scalar field, the values ezkl's circuits compute over (public instances, witness
/// values, Poseidon hashes). ezkl writes felts as 64 hex digits in little-endian byte order, without <c>0x</c>.
/// </summary>
public readonly struct Felt : IEquatable<Felt>
{
    /// <summary>The field modulus r of BN254's scalar field.</summary>
    public static readonly BigInteger Modulus = BigInteger.Parse(
        "21888242871839275222246405745257275088548364400416034343698204186575808495617", CultureInfo.InvariantCulture);

    private static readonly BigInteger s_half = Modulus >> 1;

    private readonly BigInteger _value;

    /// <summary>Creates a felt from its canonical value, which must be in [0, <see cref="Modulus"/>).</summary>
    public Felt(BigInteger value)
    {
        if (value.Sign < 0 || value >= Modulus)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "a felt's canonical value must be in [0, r)");
        }

        _value = value;
    }

    /// <summary>Zero.</summary>
    public static Felt Zero => default;

    /// <summary>The canonical value in [0, r).</summary>
    public BigInteger Value => _value;

    /// <summary>
    /// Maps a signed integer into the field the way ezkl quantizes: a negative v becomes r + v.
    /// </summary>
    public static Felt FromSignedInteger(BigInteger value)
    {
        var reduced = BigInteger.Remainder(value, Modulus);
        return new Felt(reduced.Sign < 0 ? reduced + Modulus : reduced);
    }

    /// <summary>The signed integer this felt stands for: values above (r-1)/2 are negative.</summary>
    public BigInteger ToSignedInteger() => _value > s_half ? _value - Modulus : _value;

    /// <summary>Parses ezkl's form: 64 hex digits, little-endian byte order, no prefix.</summary>
    public static Felt FromLittleEndianHex(string hex)
    {
        if (!TryFromLittleEndianHex(hex, out var felt))
        {
            throw new EzklInvalidArtifactException(
                ArtifactKind.FieldElements, $"'{Truncate(hex)}' is not a field element (expected 64 little-endian hex digits below r)");
        }

        return felt;
    }

    /// <summary>Tries to parse ezkl's little-endian hex form.</summary>
    public static bool TryFromLittleEndianHex(string? hex, out Felt felt)
    {
        felt = default;
        if (hex is null || hex.Length != 64)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[32];
        if (Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
        {
            return false;
        }

        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
        if (value >= Modulus)
        {
            return false;
        }

        felt = new Felt(value);
        return true;
    }

    /// <summary>Parses the big-endian form <c>0x</c> + 64 hex digits (as in a witness's pretty elements).</summary>
    public static Felt FromBigEndianHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var digits = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
        if (digits.Length is 0 or > 64 || !IsHex(digits))
        {
            throw new EzklInvalidArtifactException(ArtifactKind.FieldElements, $"'{Truncate(hex)}' is not a big-endian hex field element");
        }

        var value = new BigInteger(Convert.FromHexString(digits.PadLeft(64, '0')), isUnsigned: true, isBigEndian: true);
        if (value >= Modulus)
        {
            throw new EzklInvalidArtifactException(ArtifactKind.FieldElements, $"'{Truncate(hex)}' is not below the field modulus");
        }

        return new Felt(value);
    }

    /// <summary>The 32 bytes in little-endian order (ezkl's in-memory and JSON order).</summary>
    public byte[] ToLittleEndianBytes()
    {
        var bytes = new byte[32];
        _value.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        return bytes;
    }

    /// <summary>The 32 bytes in big-endian order (an EVM uint256 word).</summary>
    public byte[] ToBigEndianBytes()
    {
        var bytes = ToLittleEndianBytes();
        Array.Reverse(bytes);
        return bytes;
    }

    /// <summary>ezkl's JSON form: 64 hex digits, little-endian, no prefix.</summary>
    public string ToLittleEndianHex() => Convert.ToHexStringLower(ToLittleEndianBytes());

    /// <summary>The big-endian form <c>0x</c> + 64 hex digits.</summary>
    public string ToBigEndianHex() => "0x" + Convert.ToHexStringLower(ToBigEndianBytes());

    /// <inheritdoc />
    public bool Equals(Felt other) => _value.Equals(other._value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Felt other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _value.GetHashCode();

    /// <summary>ezkl's little-endian hex form.</summary>
    public override string ToString() => ToLittleEndianHex();

    /// <summary>Equality of canonical values.</summary>
    public static bool operator ==(Felt left, Felt right) => left.Equals(right);

    /// <summary>Inequality of canonical values.</summary>
    public static bool operator !=(Felt left, Felt right) => !left.Equals(right);

    private static bool IsHex(string s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string Truncate(string? s) => s is null ? "null" : s.Length <= 80 ? s : s[..80] + "...";
}
