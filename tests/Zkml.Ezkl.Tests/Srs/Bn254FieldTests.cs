using System.Numerics;
using Zkml.Ezkl.Bn254;
using Fq = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FqModulus>;
using Fr = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FrModulus>;

namespace Zkml.Ezkl.Tests.SrsTests;

/// <summary>Fq, Fr and Fq2 against BigInteger arithmetic mod the published BN254 moduli.</summary>
public sealed class Bn254FieldTests
{
    private static readonly BigInteger Q = BigInteger.Parse("21888242871839275222246405745257275088696311157297823662689037894645226208583");
    private static readonly BigInteger R = BigInteger.Parse("21888242871839275222246405745257275088548364400416034343698204186575808495617");

    public static TheoryData<string> Samples() => new()
    {
        "0",
        "1",
        "2",
        "18446744073709551615",
        "18446744073709551616",
        "340282366920938463463374607431768211455",
        "21888242871839275222246405745257275088548364400416034343698204186575808495616",
        "21888242871839275222246405745257275088696311157297823662689037894645226208582",
        "12345678901234567890123456789012345678901234567890123456789012345678901234",
        "7237005577332262213973186563042994240829374041602535252466099000494570602496",
    };

    [Fact]
    public void Moduli_are_the_bn254_primes()
    {
        Assert.Equal(Q, Fq.Modulus);
        Assert.Equal(R, Fr.Modulus);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Fq_round_trips_through_montgomery_form(string value)
    {
        BigInteger v = BigInteger.Parse(value) % Q;
        Assert.Equal(v, Fq.FromBigInteger(v).ToBigInteger());
    }

    [Fact]
    public void Fq_one_is_two_to_the_256_mod_q_in_memory()
    {
        Span<byte> bytes = stackalloc byte[32];
        Fq.One.WriteMontgomery(bytes);
        Assert.Equal(BigInteger.ModPow(2, 256, Q), new BigInteger(bytes, isUnsigned: true));
    }

    [Fact]
    public void Fq_operations_match_big_integer_arithmetic()
    {
        var rng = new Random(1);
        for (int i = 0; i < 300; i++)
        {
            BigInteger a = RandomBelow(rng, Q), b = RandomBelow(rng, Q);
            Fq fa = Fq.FromBigInteger(a), fb = Fq.FromBigInteger(b);
            Assert.Equal((a + b) % Q, (fa + fb).ToBigInteger());
            Assert.Equal(((a - b) % Q + Q) % Q, (fa - fb).ToBigInteger());
            Assert.Equal(a * b % Q, (fa * fb).ToBigInteger());
            Assert.Equal(a * a % Q, fa.Square().ToBigInteger());
            Assert.Equal((Q - a) % Q, (-fa).ToBigInteger());
            if (!a.IsZero)
            {
                Assert.Equal(BigInteger.ModPow(a, Q - 2, Q), fa.Invert().ToBigInteger());
                Assert.Equal(Fq.One, fa * fa.Invert());
            }
        }
    }

    [Fact]
    public void Fr_operations_match_big_integer_arithmetic()
    {
        var rng = new Random(2);
        for (int i = 0; i < 300; i++)
        {
            BigInteger a = RandomBelow(rng, R), b = RandomBelow(rng, R);
            Fr fa = Fr.FromBigInteger(a), fb = Fr.FromBigInteger(b);
            Assert.Equal((a + b) % R, (fa + fb).ToBigInteger());
            Assert.Equal(((a - b) % R + R) % R, (fa - fb).ToBigInteger());
            Assert.Equal(a * b % R, (fa * fb).ToBigInteger());
            Assert.Equal(BigInteger.ModPow(a, 12345, R), fa.Pow(12345).ToBigInteger());
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Fq_products_at_the_edges_match_big_integer_arithmetic(string value)
    {
        BigInteger a = BigInteger.Parse(value) % Q;
        BigInteger b = Q - 1;
        Assert.Equal(a * b % Q, (Fq.FromBigInteger(a) * Fq.FromBigInteger(b)).ToBigInteger());
        Assert.Equal((a + b) % Q, (Fq.FromBigInteger(a) + Fq.FromBigInteger(b)).ToBigInteger());
    }

    [Fact]
    public void Limbs_at_or_above_the_modulus_are_rejected()
    {
        Assert.False(Fq.TryFromMontgomeryLimbs(FqModulus.M0, FqModulus.M1, FqModulus.M2, FqModulus.M3, out _));
        Assert.True(Fq.TryFromMontgomeryLimbs(FqModulus.M0 - 1, FqModulus.M1, FqModulus.M2, FqModulus.M3, out _));
        Assert.False(Fq.TryFromMontgomeryLimbs(0, 0, 0, ulong.MaxValue, out _));
    }

    [Fact]
    public void Batch_inversion_inverts_every_non_zero_element_and_keeps_zeros()
    {
        var rng = new Random(3);
        var values = Enumerable.Range(0, 37).Select(i => i % 5 == 0 ? Fr.Zero : Fr.FromBigInteger(RandomBelow(rng, R))).ToArray();
        var inverted = values.ToArray();
        FieldBatch.Invert<Fr>(inverted);
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(values[i].IsZero ? Fr.Zero : values[i].Invert(), inverted[i]);
        }
    }

    [Fact]
    public void Fq2_multiplication_follows_u_squared_equals_minus_one()
    {
        var rng = new Random(4);
        for (int i = 0; i < 100; i++)
        {
            BigInteger a0 = RandomBelow(rng, Q), a1 = RandomBelow(rng, Q), b0 = RandomBelow(rng, Q), b1 = RandomBelow(rng, Q);
            var a = new Fq2(Fq.FromBigInteger(a0), Fq.FromBigInteger(a1));
            var b = new Fq2(Fq.FromBigInteger(b0), Fq.FromBigInteger(b1));
            Fq2 p = a * b;
            Assert.Equal(((a0 * b0 - a1 * b1) % Q + Q) % Q, p.C0.ToBigInteger());
            Assert.Equal((a0 * b1 + a1 * b0) % Q, p.C1.ToBigInteger());
            Assert.Equal(a * a, a.Square());
            Assert.Equal(Fq2.One, a * a.Invert());
        }

        var u = new Fq2(Fq.Zero, Fq.One);
        Assert.Equal(-Fq2.One, u * u);
    }

    [Fact]
    public void Root_of_unity_is_halo2curves_constant_and_has_order_two_to_the_28()
    {
        Fr root = Curves.RootOfUnity(28);
        Assert.Equal(BigInteger.Parse("03ddb9f5166d18b798865ea93dd31f743215cf6dd39329c8d34f1ed960c37c9c", System.Globalization.NumberStyles.HexNumber), root.ToBigInteger());
        Assert.Equal(Fr.One, root.Pow(1UL << 28));
        Assert.NotEqual(Fr.One, root.Pow(1UL << 27));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    [InlineData(17)]
    public void Root_of_unity_for_k_is_primitive_of_order_two_to_the_k(int k)
    {
        Fr root = Curves.RootOfUnity(k);
        Assert.Equal(Fr.One, root.Pow(1UL << k));
        Assert.NotEqual(Fr.One, root.Pow(1UL << (k - 1)));
        Assert.Equal(Curves.RootOfUnity(28).Pow(1UL << (28 - k)), root);
    }

    internal static BigInteger RandomBelow(Random rng, BigInteger bound)
    {
        byte[] bytes = new byte[40];
        rng.NextBytes(bytes);
        return new BigInteger(bytes, isUnsigned: true) % bound;
    }
}
