using System.Security.Cryptography;

namespace Zkml.Storage;

/// <summary>
/// Content identifiers: sha256 digests as lower-case hex, and CIDv1 with the raw codec and a sha2-256 multihash,
/// written in multibase base32 (RFC 4648, lower case, no padding, prefix <c>b</c>), as IPFS and Filecoin name a
/// blob of bytes, e.g. <c>bafkrei...</c>.
/// </summary>
public static class ContentId
{
    /// <summary>The length of a sha256 digest in bytes.</summary>
    public const int Sha256Length = 32;

    // CID version 1, multicodec raw (0x55), multihash sha2-256 (0x12) of 32 bytes (0x20); all single-byte varints.
    private static ReadOnlySpan<byte> Prefix => [0x01, 0x55, 0x12, 0x20];

    /// <summary>The sha256 digest of <paramref name="data"/> as lower-case hex.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>The CIDv1 (raw, sha2-256) of <paramref name="data"/>.</summary>
    public static string Compute(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[Sha256Length];
        SHA256.HashData(data, digest);
        return FromSha256(digest);
    }

    /// <summary>The CIDv1 (raw, sha2-256) of content whose sha256 digest is <paramref name="sha256"/>.</summary>
    /// <exception cref="ArgumentException">The digest is not 32 bytes.</exception>
    public static string FromSha256(ReadOnlySpan<byte> sha256)
    {
        if (sha256.Length != Sha256Length)
        {
            throw new ArgumentException($"A sha256 digest is {Sha256Length} bytes, not {sha256.Length}.", nameof(sha256));
        }

        Span<byte> cid = stackalloc byte[Prefix.Length + Sha256Length];
        Prefix.CopyTo(cid);
        sha256.CopyTo(cid[Prefix.Length..]);
        return "b" + Base32.Encode(cid);
    }

    /// <summary>The CIDv1 (raw, sha2-256) of content whose sha256 digest is <paramref name="sha256Hex"/> (hex).</summary>
    /// <exception cref="ArgumentException">The text is not a 64-digit hex digest.</exception>
    public static string FromSha256Hex(string sha256Hex)
    {
        ArgumentNullException.ThrowIfNull(sha256Hex);
        if (!TryParseSha256Hex(sha256Hex, out var digest))
        {
            throw new ArgumentException("A sha256 digest is 64 hex digits.", nameof(sha256Hex));
        }

        return FromSha256(digest);
    }

    /// <summary>
    /// Reads the sha256 digest out of a CIDv1 raw sha2-256 in base32; false for any other CID or for text that is
    /// not a CID.
    /// </summary>
    public static bool TryGetSha256(string cid, out byte[] sha256)
    {
        sha256 = [];
        if (string.IsNullOrEmpty(cid) || cid[0] != 'b' || !Base32.TryDecode(cid.AsSpan(1), out var bytes))
        {
            return false;
        }

        if (bytes.Length != Prefix.Length + Sha256Length || !bytes.AsSpan(0, Prefix.Length).SequenceEqual(Prefix))
        {
            return false;
        }

        sha256 = bytes[Prefix.Length..];
        return true;
    }

    /// <summary>True when <paramref name="text"/> is 64 hex digits; <paramref name="sha256"/> holds the bytes.</summary>
    public static bool TryParseSha256Hex(string text, out byte[] sha256)
    {
        sha256 = [];
        if (text is null || text.Length != Sha256Length * 2)
        {
            return false;
        }

        try
        {
            sha256 = Convert.FromHexString(text);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
