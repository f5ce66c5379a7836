using System.Numerics;
using Zkml.Ezkl.Bn254;
using Fq = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FqModulus>;
using Fr = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FrModulus>;

namespace Zkml.Ezkl.Tests.SrsTests;

/// <summary>G1 and G2 group law, scalar multiplication and normalization against known points.</summary>
public sealed class Bn254CurveTests
{
    private static readonly BigInteger Q = Fq.Modulus;

    [Fact]
    public void Generators_are_on_their_curves()
    {
        Assert.True(Curves.G1Generator.IsOnCurve(Curves.G1B));
        Assert.True(Curves.G2Generator.IsOnCurve(Curves.G2B));
        Assert.False(new AffinePoint<Fq>(Fq.FromUInt64(1), Fq.FromUInt64(3)).IsOnCurve(Curves.G1B));
    }

    [Fact]
    public void Doubling_the_g1_generator_gives_the_known_point()
    {
        AffinePoint<Fq> twoG = Curves.G1Generator.ToJacobian().Double().ToAffine();
        Assert.Equal(BigInteger.Parse("1368015179489954701390400359078579693043519447331113978918064868415326638035"), twoG.X.ToBigInteger());
        Assert.Equal(BigInteger.Parse("9918110051302171585080402603319702774565515993150576347155970296011118125764"), twoG.Y.ToBigInteger());
        Assert.Equal(twoG, Curves.G1Generator.ToJacobian().Add(Curves.G1Generator).ToAffine());
    }

    [Fact]
    public void Five_times_the_g2_generator_gives_the_reference_point()
    {
        // Value from the design notes' reference generator (srs_gen.py), checked against the engine.
        AffinePoint<Fq2> p = Curves.G2Generator.ToJacobian().Multiply([5]).ToAffine();
        Assert.Equal(BigInteger.Parse("20954117799226682825035885491234530437475518021362091509513177301640194298072"), p.X.C0.ToBigInteger());
        Assert.Equal(BigInteger.Parse("4540444681147253467785307942530223364530218361853237193970751657229138047649"), p.X.C1.ToBigInteger());
        Assert.Equal(BigInteger.Parse("21508930868448350162258892668132814424284302804699005394342512102884055673846"), p.Y.C0.ToBigInteger());
        Assert.Equal(BigInteger.Parse("11631839690097995216017572651900167465857396346217730511548857041925508482915"), p.Y.C1.ToBigInteger());
        Assert.True(p.IsOnCurve(Curves.G2B));
    }

    [Fact]
    public void Group_order_times_a_generator_is_infinity()
    {
        Assert.True(Curves.G1Generator.ToJacobian().Multiply(Curves.Order).IsInfinity);
        Assert.True(Curves.G2Generator.ToJacobian().Multiply(Curves.Order).IsInfinity);
    }

    [Fact]
    public void G1_addition_matches_affine_big_integer_formulas()
    {
        var rng = new Random(5);
        var p = Curves.G1Generator.ToJacobian().Multiply([(ulong)rng.NextInt64()]).ToAffine();
        var q = Curves.G1Generator.ToJacobian().Multiply([(ulong)rng.NextInt64()]).ToAffine();
        (BigInteger x, BigInteger y) expected = AffineAdd((p.X.ToBigInteger(), p.Y.ToBigInteger()), (q.X.ToBigInteger(), q.Y.ToBigInteger()));
        AffinePoint<Fq> mixed = p.ToJacobian().Add(q).ToAffine();
        AffinePoint<Fq> full = p.ToJacobian().Add(q.ToJacobian()).ToAffine();
        Assert.Equal(expected.x, mixed.X.ToBigInteger());
        Assert.Equal(expected.y, mixed.Y.ToBigInteger());
        Assert.Equal(mixed, full);
    }

    [Fact]
    public void Adding_a_point_to_its_negation_gives_infinity_and_to_itself_doubles()
    {
        var p = Curves.G1Generator.ToJacobian().Multiply([77]);
        Assert.True(p.Add(p.ToAffine().Negate()).IsInfinity);
        Assert.True(p.Add(p.Negate()).IsInfinity);
        Assert.True(p.Add(p.ToAffine()).EqualsPoint(p.Double()));
        Assert.True(p.Add(p).EqualsPoint(p.Double()));
        Assert.True(JacobianPoint<Fq>.Infinity.Add(p).EqualsPoint(p));
    }

    [Fact]
    public void Fixed_base_and_windowed_multiplication_agree_with_double_and_add()
    {
        var table = new FixedBaseTable(Curves.G1Generator);
        var rng = new Random(6);
        var scalars = new List<Fr> { Fr.Zero, Fr.One, -Fr.One, Fr.FromUInt64(255), Fr.FromUInt64(256) };
        for (int i = 0; i < 20; i++)
        {
            scalars.Add(Fr.FromBigInteger(Bn254FieldTests.RandomBelow(rng, Fr.Modulus)));
        }

        foreach (Fr s in scalars)
        {
            s.ToCanonicalLimbs(out ulong s0, out ulong s1, out ulong s2, out ulong s3);
            JacobianPoint<Fq> reference = Curves.G1Generator.ToJacobian().Multiply([s0, s1, s2, s3]);
            Assert.True(table.Multiply(s).EqualsPoint(reference), $"fixed base, scalar {s}");
            Assert.True(Curves.G1Generator.ToJacobian().MultiplyWindowed(s).EqualsPoint(reference), $"windowed, scalar {s}");
        }
    }

    [Fact]
    public void Batch_affine_fixed_base_multiplication_matches_single_multiplication()
    {
        var table = new FixedBaseTable(Curves.G1Generator);
        var rng = new Random(8);
        var scalars = new List<Fr> { Fr.Zero, Fr.One, -Fr.One, Fr.FromUInt64(256), Fr.FromUInt64(1UL << 63), Fr.FromUInt64(255) };
        for (int i = 0; i < 40; i++)
        {
            scalars.Add(Fr.FromBigInteger(Bn254FieldTests.RandomBelow(rng, Fr.Modulus)));
        }

        var results = new AffinePoint<Fq>[scalars.Count];
        table.MultiplyBatch(scalars.ToArray(), results);
        for (int i = 0; i < scalars.Count; i++)
        {
            Assert.Equal(table.Multiply(scalars[i]).ToAffine(), results[i]);
        }

        Assert.True(results[0].IsInfinity);
    }

    [Fact]
    public void Batch_normalization_matches_one_by_one_and_keeps_infinity()
    {
        var points = Enumerable.Range(0, 20)
            .Select(i => i == 7 ? JacobianPoint<Fq>.Infinity : Curves.G1Generator.ToJacobian().Multiply([(ulong)(i * 1000 + 3)]))
            .ToArray();
        var affine = new AffinePoint<Fq>[points.Length];
        JacobianPoint<Fq>.BatchToAffine(points, affine);
        for (int i = 0; i < points.Length; i++)
        {
            Assert.Equal(points[i].ToAffine(), affine[i]);
        }

        Assert.True(affine[7].IsInfinity);
    }

    [Fact]
    public void Fr_fft_matches_naive_evaluation_and_inverts()
    {
        const int k = 4;
        Fr omega = Curves.RootOfUnity(k);
        var rng = new Random(7);
        Fr[] coeffs = Enumerable.Range(0, 1 << k).Select(_ => Fr.FromBigInteger(Bn254FieldTests.RandomBelow(rng, Fr.Modulus))).ToArray();
        Fr[] values = coeffs.ToArray();
        Fft.Forward<Fr, FrFftOps>(values, omega);
        for (int i = 0; i < values.Length; i++)
        {
            Fr expected = Fr.Zero;
            for (int j = coeffs.Length - 1; j >= 0; j--)
            {
                expected = expected * omega.Pow((ulong)i) + coeffs[j];
            }

            Assert.Equal(expected, values[i]);
        }

        Fft.Inverse<Fr, FrFftOps>(values, omega);
        Assert.Equal(coeffs, values);
    }

    private static (BigInteger x, BigInteger y) AffineAdd((BigInteger x, BigInteger y) p, (BigInteger x, BigInteger y) q)
    {
        BigInteger lambda = (q.y - p.y) * BigInteger.ModPow(((q.x - p.x) % Q + Q) % Q, Q - 2, Q);
        BigInteger x = ((lambda * lambda - p.x - q.x) % Q + Q) % Q;
        BigInteger y = ((lambda * (p.x - x) - p.y) % Q + Q) % Q;
        return (x, y);
    }
}
