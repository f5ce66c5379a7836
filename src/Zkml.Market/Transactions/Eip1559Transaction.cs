using System.Numerics;
using Nethereum.Model;
using Nethereum.Signer;

namespace Zkml.Market;

/// <summary>An EIP-1559 (type 0x02) transaction, unsigned; signed by Nethereum. The access list is always empty.</summary>
/// <param name="ChainId">The chain id (replay protection).</param>
/// <param name="Nonce">The sender's transaction count.</param>
/// <param name="MaxPriorityFeePerGas">The tip per gas, in wei.</param>
/// <param name="MaxFeePerGas">The most per gas the sender pays (base fee + tip), in wei.</param>
/// <param name="GasLimit">The gas limit.</param>
/// <param name="To">The recipient, or null to create a contract.</param>
/// <param name="Value">Wei sent with the transaction.</param>
/// <param name="Data">The call data (or init code).</param>
public sealed record Eip1559Transaction(
    BigInteger ChainId,
    BigInteger Nonce,
    BigInteger MaxPriorityFeePerGas,
    BigInteger MaxFeePerGas,
    BigInteger GasLimit,
    EthereumAddress? To,
    BigInteger Value,
    byte[] Data)
{
    /// <summary>The hash the sender signs: keccak256(0x02 || rlp(fields)).</summary>
    public byte[] SigningHash() => Keccak256.Hash(ToNethereum().GetRLPEncodedRaw());

    /// <summary>Signs the transaction; returns the raw bytes for <c>eth_sendRawTransaction</c>.</summary>
    public byte[] Sign(EthereumKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return HexConverter.FromHex(new Transaction1559Signer().SignTransaction(key.Key, ToNethereum()));
    }

    /// <summary>The transaction hash of a signed raw transaction: keccak256 of its bytes.</summary>
    public static byte[] HashOf(ReadOnlySpan<byte> rawTransaction) => Keccak256.Hash(rawTransaction);

    private Transaction1559 ToNethereum() =>
        new(ChainId, Nonce, MaxPriorityFeePerGas, MaxFeePerGas, GasLimit, To?.ToString(), Value, HexConverter.ToHex(Data), []);
}
