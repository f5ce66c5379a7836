using System.Numerics;
using Fq = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FqModulus>;
using Fr = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FrModulus>;

namespace Zkml.Ezkl.Bn254;

/// <summary>The operations a radix-2 FFT needs from the values it transforms: a group with Fr scalars.</summary>
internal interface IFftOps<T>
{
    static abstract T Add(in T a, in T b);

    static abstract T Subtract(in T a, in T b);

    static abstract T Scale(in T a, Fr scalar);
}

/// <summary>FFT over Fr values.</summary>
internal readonly struct FrFftOps : IFftOps<Fr>
{
    public static Fr Add(in Fr a, in Fr b) => a + b;

    public static Fr Subtract(in Fr a, in Fr b) => a - b;

    public static Fr Scale(in Fr a, Fr scalar) => a * scalar;
}

/// <summary>FFT "in the exponent": over G1 points, with scalar multiplications as the twiddle products.</summary>
internal readonly struct G1FftOps : IFftOps<JacobianPoint<Fq>>
{
    public static JacobianPoint<Fq> Add(in JacobianPoint<Fq> a, in JacobianPoint<Fq> b) => a.Add(b);

    public static JacobianPoint<Fq> Subtract(in JacobianPoint<Fq> a, in JacobianPoint<Fq> b) => a.Add(b.Negate());

    public static JacobianPoint<Fq> Scale(in JacobianPoint<Fq> a, Fr scalar) => G1Glv.Multiply(a, scalar);
}

/// <summary>Radix-2 transforms over the multiplicative subgroup of order 2^k of Fr (halo2's evaluation domain).</summary>
internal static class Fft
{
    /// <summary>Below this many butterflies per stage the stage runs on the calling thread.</summary>
    private const int ParallelThreshold = 256;

    /// <summary>In place: a[i] = sum_j a[j] * omega^(i*j), for a primitive n-th root omega (n = a.Length, a power of two).</summary>
    public static void Forward<T, TOps>(T[] values, Fr omega, Action<long>? onButterflies = null, CancellationToken cancellationToken = default)
        where TOps : struct, IFftOps<T>
    {
        int n = values.Length;
        if (n == 0 || !BitOperations.IsPow2(n))
        {
            throw new ArgumentException("the length must be a power of two", nameof(values));
        }

        int logN = BitOperations.Log2((uint)n);
        BitReverse(values, logN);

        // twiddles[j] = omega^j for j < n/2; stage with block length len uses every (n/len)-th one.
        var twiddles = new Fr[Math.Max(1, n / 2)];
        twiddles[0] = Fr.One;
        for (int j = 1; j < twiddles.Length; j++)
        {
            twiddles[j] = twiddles[j - 1] * omega;
        }

        T[] array = values;
        for (int len = 2; len <= n; len <<= 1)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int half = len / 2;
            int stride = n / len;
            int butterflies = n / 2;
            void Butterfly(int k)
            {
                int start = (k / half) * len;
                int j = k % half;
                ref T lo = ref array[start + j];
                ref T hi = ref array[start + j + half];
                T v = j == 0 ? hi : TOps.Scale(hi, twiddles[j * stride]);
                T u = lo;
                lo = TOps.Add(u, v);
                hi = TOps.Subtract(u, v);
            }

            if (butterflies < ParallelThreshold)
            {
                for (int k = 0; k < butterflies; k++)
                {
                    Butterfly(k);
                }
            }
            else
            {
                Parallel.ForEach(
                    System.Collections.Concurrent.Partitioner.Create(0, butterflies, Math.Max(64, butterflies / (Environment.ProcessorCount * 8))),
                    new ParallelOptions { CancellationToken = cancellationToken },
                    range =>
                    {
                        for (int k = range.Item1; k < range.Item2; k++)
                        {
                            Butterfly(k);
                        }
                    });
            }

            onButterflies?.Invoke(butterflies);
        }

    }

    /// <summary>In place: the inverse of <see cref="Forward{T, TOps}"/> for the same omega.</summary>
    public static void Inverse<T, TOps>(T[] values, Fr omega, Action<long>? onButterflies = null, CancellationToken cancellationToken = default)
        where TOps : struct, IFftOps<T>
    {
        Forward<T, TOps>(values, omega.Invert(), onButterflies, cancellationToken);
        Fr nInverse = Fr.FromUInt64((ulong)values.Length).Invert();
        Parallel.For(0, values.Length, new ParallelOptions { CancellationToken = cancellationToken }, i => values[i] = TOps.Scale(values[i], nInverse));
    }

    private static void BitReverse<T>(Span<T> values, int logN)
    {
        int n = values.Length;
        for (int i = 0; i < n; i++)
        {
            int j = (int)(ReverseBits((uint)i) >> (32 - logN));
            if (logN == 0)
            {
                j = 0;
            }

            if (j > i)
            {
                (values[i], values[j]) = (values[j], values[i]);
            }
        }
    }

    private static uint ReverseBits(uint v)
    {
        v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
        v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
        v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
        v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
        return (v >> 16) | (v << 16);
    }
}
