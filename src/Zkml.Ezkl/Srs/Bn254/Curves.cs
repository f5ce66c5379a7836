using System.Numerics;
using Fq = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FqModulus>;
using Fr = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FrModulus>;

namespace Zkml.Ezkl.Bn254;

/// <summary>BN254 (alt_bn128) constants: the generators and curve coefficients of G1 and G2, and Fr's roots of unity.</summary>
internal static class Curves
{
    /// <summary>Two-adicity of r - 1: Fr has roots of unity of order 2^28.</summary>
    public const int TwoAdicity = 28;

    /// <summary>halo2curves' multiplicative generator of Fr, from which its ROOT_OF_UNITY is derived.</summary>
    public const ulong FrMultiplicativeGenerator = 7;

    /// <summary>b of G1: y^2 = x^3 + 3.</summary>
    public static readonly Fq G1B = Fq.FromUInt64(3);

    /// <summary>b of the G2 twist: 3 / (9 + u).</summary>
    public static readonly Fq2 G2B = new(
        Fq.FromBigInteger(BigInteger.Parse("19485874751759354771024239261021720505790618469301721065564631296452457478373")),
        Fq.FromBigInteger(BigInteger.Parse("266929791119991161246907387137283842545076965332900288569378510910307636690")));

    /// <summary>The generator of G1, (1, 2).</summary>
    public static readonly AffinePoint<Fq> G1Generator = new(Fq.FromUInt64(1), Fq.FromUInt64(2));

    /// <summary>The generator of G2 (the EIP-197 one, also halo2curves').</summary>
    public static readonly AffinePoint<Fq2> G2Generator = new(
        new Fq2(
            Fq.FromBigInteger(BigInteger.Parse("10857046999023057135944570762232829481370756359578518086990519993285655852781")),
            Fq.FromBigInteger(BigInteger.Parse("11559732032986387107991004021392285783925812861821192530917403151452391805634"))),
        new Fq2(
            Fq.FromBigInteger(BigInteger.Parse("8495653923123431417604973247489272438418190587263600148770280649306958101930")),
            Fq.FromBigInteger(BigInteger.Parse("4082367875863433681332203403145435568316851327593401208105741076214120093531"))));

    /// <summary>The group order r as little-endian limbs (for subgroup checks).</summary>
    public static readonly ulong[] Order = [FrModulus.M0, FrModulus.M1, FrModulus.M2, FrModulus.M3];

    /// <summary>
    /// A primitive 2^k-th root of unity of Fr, as halo2 derives it: 7^((r-1)/2^28) squared (28 - k) times.
    /// <paramref name="generator"/> is a parameter only so tests can build a deliberately wrong domain.
    /// </summary>
    public static Fr RootOfUnity(int k, ulong generator = FrMultiplicativeGenerator)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, TwoAdicity);
        BigInteger exponent = (Fr.Modulus - 1) >> TwoAdicity;
        Fr root = Fr.FromUInt64(generator).Pow(exponent);
        for (int i = k; i < TwoAdicity; i++)
        {
            root = root.Square();
        }

        return root;
    }

    /// <summary>this^e for a non-negative BigInteger exponent below 2^256.</summary>
    public static Fp<TM> Pow<TM>(this Fp<TM> value, BigInteger exponent)
        where TM : struct, IModulus
    {
        Span<byte> bytes = stackalloc byte[32];
        bytes.Clear();
        exponent.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        return value.Pow(
            BitConverter.ToUInt64(bytes),
            BitConverter.ToUInt64(bytes[8..]),
            BitConverter.ToUInt64(bytes[16..]),
            BitConverter.ToUInt64(bytes[24..]));
    }
}
