using System.Numerics;
using Nethereum.Signer;

namespace Zkml.Market;

/// <summary>A secp256k1 signature with its recovery id, as Ethereum uses it (low-s, EIP-2).</summary>
/// <param name="R">The r value.</param>
/// <param name="S">The s value (at most n/2 for signatures this package makes).</param>
/// <param name="YParity">The recovery id, 0 or 1 (the y parity of the nonce point).</param>
public readonly record struct EthereumSignature(BigInteger R, BigInteger S, int YParity)
{
    /// <summary>The legacy v value: 27 + yParity.</summary>
    public int V => 27 + YParity;

    /// <summary>The 65-byte form r || s || v (v = 27 or 28), as Solidity's ecrecover callers expect.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[65];
        Word(R).CopyTo(bytes, 0);
        Word(S).CopyTo(bytes, 32);
        bytes[64] = (byte)V;
        return bytes;
    }

    /// <summary>Parses the 65-byte r || s || v form (v may be 0/1 or 27/28).</summary>
    /// <exception cref="EthereumFormatException">Not 65 bytes, or a bad v.</exception>
    public static EthereumSignature FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 65)
        {
            throw new EthereumFormatException($"A signature has 65 bytes, not {bytes.Length}.");
        }

        int v = bytes[64] >= 27 ? bytes[64] - 27 : bytes[64];
        if (v is not (0 or 1))
        {
            throw new EthereumFormatException($"Bad signature v value {bytes[64]}.");
        }

        return new EthereumSignature(HexConverter.FromBigEndian(bytes[..32]), HexConverter.FromBigEndian(bytes[32..64]), v);
    }

    /// <summary>Recovers the address that signed <paramref name="hash"/> (Nethereum's public-key recovery).</summary>
    /// <exception cref="EthereumFormatException">The signature does not recover to a public key.</exception>
    public EthereumAddress RecoverSigner(ReadOnlySpan<byte> hash)
    {
        if (hash.Length != 32 || R.Sign <= 0 || S.Sign <= 0 || R >= EthereumKey.Order || S >= EthereumKey.Order)
        {
            throw new EthereumFormatException("The signature does not recover to a public key.");
        }

        try
        {
            var signature = EthECDSASignatureFactory.FromComponents(Word(R), Word(S), (byte)V);
            return EthECKey.RecoverFromSignature(signature, hash.ToArray()) is { } key
                ? new EthereumAddress(key.GetPublicAddressAsBytes())
                : throw new EthereumFormatException("The signature does not recover to a public key.");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new EthereumFormatException("The signature does not recover to a public key.", e);
        }
    }

    private static byte[] Word(BigInteger value)
    {
        var bytes = HexConverter.ToBigEndian(value);
        var word = new byte[32];
        bytes.CopyTo(word, 32 - bytes.Length);
        return word;
    }
}

/// <summary>
/// A secp256k1 private key (Nethereum's <see cref="EthECKey"/>): derives its address and signs 32-byte hashes
/// deterministically (RFC 6979) with low s and a recovery id.
/// </summary>
public sealed class EthereumKey
{
    /// <summary>The order n of secp256k1.</summary>
    internal static readonly BigInteger Order =
        BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);

    /// <summary>Creates a key from its 32 private-key bytes.</summary>
    /// <exception cref="EthereumFormatException">The key is not 32 bytes or not in [1, n-1].</exception>
    public EthereumKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != 32)
        {
            throw new EthereumFormatException($"A private key has 32 bytes, not {privateKey.Length}.");
        }

        var d = HexConverter.FromBigEndian(privateKey);
        if (d.IsZero || d >= Order)
        {
            throw new EthereumFormatException("The private key is out of range for secp256k1.");
        }

        Key = new EthECKey(privateKey.ToArray(), true);
        Address = new EthereumAddress(Key.GetPublicAddressAsBytes());
    }

    /// <summary>Parses a hex private key (with or without 0x).</summary>
    public static EthereumKey FromHex(string privateKeyHex) => new(HexConverter.FromHex(privateKeyHex));

    /// <summary>The Nethereum key, for Nethereum's signers.</summary>
    public EthECKey Key { get; }

    /// <summary>The account address: the last 20 bytes of keccak256 of the uncompressed public key.</summary>
    public EthereumAddress Address { get; }

    /// <summary>The uncompressed public key, 64 bytes (x || y, without the 0x04 prefix).</summary>
    public byte[] PublicKey => Key.GetPubKeyNoPrefix(false);

    /// <summary>Signs a 32-byte hash (RFC 6979 nonce, low s).</summary>
    /// <exception cref="EthereumFormatException">The hash is not 32 bytes.</exception>
    public EthereumSignature Sign(ReadOnlySpan<byte> hash)
    {
        if (hash.Length != 32)
        {
            throw new EthereumFormatException($"Only 32-byte hashes are signed, not {hash.Length} bytes.");
        }

        var signature = Key.SignAndCalculateV(hash.ToArray());
        return new EthereumSignature(HexConverter.FromBigEndian(signature.R), HexConverter.FromBigEndian(signature.S), signature.V[0] - 27);
    }
}
