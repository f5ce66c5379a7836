using System.Text;
using Org.BouncyCastle.Crypto.Digests;

namespace Zkml.Market;

/// <summary>Keccak-256 as Ethereum uses it (the original Keccak padding, not SHA3-256).</summary>
public static class Keccak256
{
    /// <summary>The 32-byte Keccak-256 hash of <paramref name="data"/>.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var digest = new KeccakDigest(256);
        digest.BlockUpdate(data);
        var output = new byte[32];
        digest.DoFinal(output);
        return output;
    }

    /// <summary>The Keccak-256 hash of a string's UTF-8 bytes (e.g. a function or event signature).</summary>
    public static byte[] Hash(string text) => Hash(Encoding.UTF8.GetBytes(text));
}
