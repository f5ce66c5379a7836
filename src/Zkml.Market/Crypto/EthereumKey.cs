using System.Numerics;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math.EC;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace Zkml.Market;

/// <summary>A secp256k1 signature with its recovery id, as Ethereum uses it (low-s, EIP-2).</summary>
/// <param name="R">The r value.</param>
/// <param name="S">The s value (always at most n/2).</param>
/// <param name="YParity">The recovery id, 0 or 1 (the y parity of the nonce point).</param>
public readonly record struct EthereumSignature(BigInteger R, BigInteger S, int YParity)
{
    /// <summary>The legacy v value: 27 + yParity.</summary>
    public int V => 27 + YParity;

    /// <summary>The 65-byte form r || s || v (v = 27 or 28), as Solidity's ecrecover callers expect.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[65];
        Secp256k1.WriteWord(R, bytes.AsSpan(0, 32));
        Secp256k1.WriteWord(S, bytes.AsSpan(32, 32));
        bytes[64] = (byte)V;
        return bytes;
    }

    /// <summary>Parses the 65-byte r || s || v form (v may be 0/1 or 27/28).</summary>
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

    /// <summary>Recovers the address that signed <paramref name="hash"/>.</summary>
    /// <exception cref="EthereumFormatException">The signature does not recover to a point.</exception>
    public EthereumAddress RecoverSigner(ReadOnlySpan<byte> hash) => Secp256k1.Recover(hash, this);
}

/// <summary>
/// A secp256k1 private key: derives its address and signs 32-byte hashes deterministically (RFC 6979) with low s and
/// a recovery id.
/// </summary>
public sealed class EthereumKey
{
    private readonly ECPrivateKeyParameters _privateKey;
    private readonly ECPoint _publicKey;

    /// <summary>Creates a key from its 32 private-key bytes.</summary>
    /// <exception cref="EthereumFormatException">The key is not 32 bytes or not in [1, n-1].</exception>
    public EthereumKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != 32)
        {
            throw new EthereumFormatException($"A private key has 32 bytes, not {privateKey.Length}.");
        }

        var d = new BcBigInteger(1, privateKey.ToArray());
        if (d.SignValue == 0 || d.CompareTo(Secp256k1.Parameters.N) >= 0)
        {
            throw new EthereumFormatException("The private key is out of range for secp256k1.");
        }

        _privateKey = new ECPrivateKeyParameters(d, Secp256k1.Domain);
        _publicKey = Secp256k1.Domain.G.Multiply(d).Normalize();
        Address = Secp256k1.AddressOf(_publicKey);
    }

    /// <summary>Parses a hex private key (with or without 0x).</summary>
    public static EthereumKey FromHex(string privateKeyHex) => new(HexConverter.FromHex(privateKeyHex));

    /// <summary>The account address: the last 20 bytes of keccak256 of the uncompressed public key.</summary>
    public EthereumAddress Address { get; }

    /// <summary>The uncompressed public key, 64 bytes (x || y, without the 0x04 prefix).</summary>
    public byte[] PublicKey => _publicKey.GetEncoded(false)[1..];

    /// <summary>Signs a 32-byte hash (RFC 6979 nonce, low s).</summary>
    public EthereumSignature Sign(ReadOnlySpan<byte> hash)
    {
        if (hash.Length != 32)
        {
            throw new EthereumFormatException($"Only 32-byte hashes are signed, not {hash.Length} bytes.");
        }

        // ECDSA with the RFC 6979 nonce, computed here rather than through ECDsaSigner so the nonce point's y parity
        // gives the recovery id directly (no trial recovery).
        var n = Secp256k1.Parameters.N;
        var d = _privateKey.D;
        var e = new BcBigInteger(1, hash.ToArray());
        var nonces = new HMacDsaKCalculator(new Sha256Digest());
        nonces.Init(n, d, hash.ToArray());
        while (true)
        {
            var k = nonces.NextK();
            var point = Secp256k1.Domain.G.Multiply(k).Normalize();
            var x = point.AffineXCoord.ToBigInteger();
            if (x.CompareTo(n) >= 0)
            {
                continue; // recovery ids 2 and 3 cannot be expressed in Ethereum's v; probability about 2^-128
            }

            var r = x;
            var s = k.ModInverse(n).Multiply(e.Add(d.Multiply(r))).Mod(n);
            if (r.SignValue == 0 || s.SignValue == 0)
            {
                continue;
            }

            var parity = point.AffineYCoord.TestBitZero() ? 1 : 0;
            if (s.CompareTo(Secp256k1.HalfOrder) > 0)
            {
                s = n.Subtract(s); // EIP-2: nodes reject high s; negating s flips the nonce point's parity
                parity ^= 1;
            }

            return new EthereumSignature(Secp256k1.ToSystem(r), Secp256k1.ToSystem(s), parity);
        }
    }
}

/// <summary>The secp256k1 curve and the operations on it that the package needs.</summary>
internal static class Secp256k1
{
    internal static readonly X9ECParameters Parameters = CustomNamedCurves.GetByName("secp256k1");
    internal static readonly ECDomainParameters Domain = new(Parameters.Curve, Parameters.G, Parameters.N, Parameters.H);
    internal static readonly BcBigInteger HalfOrder = Parameters.N.ShiftRight(1);

    internal static EthereumAddress AddressOf(ECPoint publicKey) =>
        new(Keccak256.Hash(publicKey.GetEncoded(false).AsSpan(1)).AsSpan(12));

    internal static BigInteger ToSystem(BcBigInteger value) => HexConverter.FromBigEndian(value.ToByteArrayUnsigned());

    internal static BcBigInteger ToBouncy(BigInteger value) => new(1, HexConverter.ToBigEndian(value));

    internal static void WriteWord(BigInteger value, Span<byte> word)
    {
        var bytes = HexConverter.ToBigEndian(value);
        word.Clear();
        bytes.CopyTo(word[(word.Length - bytes.Length)..]);
    }

    internal static EthereumAddress Recover(ReadOnlySpan<byte> hash, EthereumSignature signature)
    {
        var point = RecoverPoint(hash, ToBouncy(signature.R), ToBouncy(signature.S), signature.YParity)
            ?? throw new EthereumFormatException("The signature does not recover to a public key.");
        return AddressOf(point);
    }

    /// <summary>SEC 1 section 4.1.6 public key recovery for recovery ids 0 and 1.</summary>
    internal static ECPoint? RecoverPoint(ReadOnlySpan<byte> hash, BcBigInteger r, BcBigInteger s, int parity)
    {
        var n = Parameters.N;
        if (r.SignValue <= 0 || r.CompareTo(n) >= 0 || s.SignValue <= 0 || s.CompareTo(n) >= 0)
        {
            return null;
        }

        var encoded = X9IntegerConverter.IntegerToBytes(r, 1 + X9IntegerConverter.GetByteLength(Parameters.Curve));
        encoded[0] = (byte)(parity == 1 ? 0x03 : 0x02);
        ECPoint nonce;
        try
        {
            nonce = Parameters.Curve.DecodePoint(encoded);
        }
        catch (ArgumentException)
        {
            return null;
        }

        var e = new BcBigInteger(1, hash.ToArray());
        var rInverse = r.ModInverse(n);
        var u1 = n.Subtract(e).Multiply(rInverse).Mod(n);
        var u2 = s.Multiply(rInverse).Mod(n);
        var q = ECAlgorithms.SumOfTwoMultiplies(Domain.G, u1, nonce, u2).Normalize();
        return q.IsInfinity ? null : q;
    }
}
