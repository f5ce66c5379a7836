using System.Text;
using Nethereum.Util;

namespace Zkml.Market;

/// <summary>Keccak-256 as Ethereum uses it (the original Keccak padding, not SHA3-256), by Nethereum.</summary>
public static class Keccak256
{
    /// <summary>The 32-byte Keccak-256 hash of <paramref name="data"/>.</summary>
    public static byte[] Hash(ReadOnlySpan<byte> data) => Sha3Keccack.Current.CalculateHash(data.ToArray());

    /// <summary>The Keccak-256 hash of a string's UTF-8 bytes (e.g. a function or event signature).</summary>
    public static byte[] Hash(string text) => Hash(Encoding.UTF8.GetBytes(text));
}
