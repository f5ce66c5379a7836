using Zkml.Ezkl.Bn254;
using Fq = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FqModulus>;
using Fr = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FrModulus>;

namespace Zkml.Ezkl;

/// <summary>
/// The Lagrange basis of an SRS from its powers alone: [L_i(tau)]G1 = (1/n) sum_j w^(-ij) [tau^j]G1, an
/// inverse FFT "in the exponent" over G1 (each twiddle product is a scalar multiplication, so this costs
/// about (n/2)·log2(n) + n of them, parallel over cores). This is how a smaller SRS is cut from a larger one.
/// </summary>
internal static class SrsLagrange
{
    public static AffinePoint<Fq>[] FromPowers(
        ReadOnlySpan<AffinePoint<Fq>> powers,
        Fr omega,
        Action<long>? onScalarMultiplications,
        CancellationToken cancellationToken)
    {
        var points = new JacobianPoint<Fq>[powers.Length];
        for (int i = 0; i < points.Length; i++)
        {
            points[i] = powers[i].ToJacobian();
        }

        Fft.Inverse<JacobianPoint<Fq>, G1FftOps>(points, omega, onScalarMultiplications, cancellationToken);
        return ToAffineParallel(points, cancellationToken);
    }

    public static AffinePoint<Fq>[] ToAffineParallel(JacobianPoint<Fq>[] points, CancellationToken cancellationToken)
    {
        const int Slice = 4096;
        var affine = new AffinePoint<Fq>[points.Length];
        int slices = (points.Length + Slice - 1) / Slice;
        Parallel.For(0, slices, new ParallelOptions { CancellationToken = cancellationToken }, s =>
        {
            int start = s * Slice;
            int length = Math.Min(Slice, points.Length - start);
            JacobianPoint<Fq>.BatchToAffine(points.AsSpan(start, length), affine.AsSpan(start, length));
        });
        return affine;
    }
}
