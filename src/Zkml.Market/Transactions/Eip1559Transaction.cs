using System.Numerics;
using Zkml.Market.Rlp;

namespace Zkml.Market;

/// <summary>An EIP-1559 (type 0x02) transaction, unsigned. The access list is always empty.</summary>
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
    public byte[] SigningHash() => Keccak256.Hash([0x02, .. RlpEncoder.EncodeList(Fields())]);

    /// <summary>Signs the transaction; returns the raw bytes for <c>eth_sendRawTransaction</c>.</summary>
    public byte[] Sign(EthereumKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var signature = key.Sign(SigningHash());
        return
        [
            0x02,
            .. RlpEncoder.EncodeList([
                .. Fields(),
                RlpEncoder.EncodeInteger(signature.YParity),
                RlpEncoder.EncodeInteger(signature.R),
                RlpEncoder.EncodeInteger(signature.S),
            ]),
        ];
    }

    /// <summary>The transaction hash of a signed raw transaction: keccak256 of its bytes.</summary>
    public static byte[] HashOf(ReadOnlySpan<byte> rawTransaction) => Keccak256.Hash(rawTransaction);

    private List<byte[]> Fields() =>
    [
        RlpEncoder.EncodeInteger(ChainId),
        RlpEncoder.EncodeInteger(Nonce),
        RlpEncoder.EncodeInteger(MaxPriorityFeePerGas),
        RlpEncoder.EncodeInteger(MaxFeePerGas),
        RlpEncoder.EncodeInteger(GasLimit),
        RlpEncoder.EncodeBytes(To is { } to ? to.Span : []),
        RlpEncoder.EncodeInteger(Value),
        RlpEncoder.EncodeBytes(Data),
        RlpEncoder.EncodeList(),
    ];
}

/// <summary>A legacy transaction signed with EIP-155 replay protection (v = chainId * 2 + 35 + yParity).</summary>
/// <param name="ChainId">The chain id.</param>
/// <param name="Nonce">The sender's transaction count.</param>
/// <param name="GasPrice">The gas price, in wei.</param>
/// <param name="GasLimit">The gas limit.</param>
/// <param name="To">The recipient, or null to create a contract.</param>
/// <param name="Value">Wei sent.</param>
/// <param name="Data">The call data.</param>
public sealed record LegacyTransaction(
    BigInteger ChainId,
    BigInteger Nonce,
    BigInteger GasPrice,
    BigInteger GasLimit,
    EthereumAddress? To,
    BigInteger Value,
    byte[] Data)
{
    /// <summary>The EIP-155 signing hash: keccak256(rlp(nonce, gasPrice, gas, to, value, data, chainId, 0, 0)).</summary>
    public byte[] SigningHash() =>
        Keccak256.Hash(RlpEncoder.EncodeList([
            .. Fields(), RlpEncoder.EncodeInteger(ChainId), RlpEncoder.EncodeInteger(0), RlpEncoder.EncodeInteger(0),
        ]));

    /// <summary>Signs the transaction; returns the raw bytes.</summary>
    public byte[] Sign(EthereumKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var signature = key.Sign(SigningHash());
        return RlpEncoder.EncodeList([
            .. Fields(),
            RlpEncoder.EncodeInteger(ChainId * 2 + 35 + signature.YParity),
            RlpEncoder.EncodeInteger(signature.R),
            RlpEncoder.EncodeInteger(signature.S),
        ]);
    }

    private List<byte[]> Fields() =>
    [
        RlpEncoder.EncodeInteger(Nonce),
        RlpEncoder.EncodeInteger(GasPrice),
        RlpEncoder.EncodeInteger(GasLimit),
        RlpEncoder.EncodeBytes(To is { } to ? to.Span : []),
        RlpEncoder.EncodeInteger(Value),
        RlpEncoder.EncodeBytes(Data),
    ];
}
