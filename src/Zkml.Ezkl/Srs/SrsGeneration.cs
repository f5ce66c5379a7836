using System.Numerics;
using Zkml.Ezkl.Bn254;
using Fq = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FqModulus>;
using Fr = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FrModulus>;

namespace Zkml.Ezkl;

/// <summary>
/// Computes a KZG SRS from a known tau (halo2 <c>ParamsKZG::setup</c>): g[i] = [tau^i]G1,
/// g_lagrange[i] = [((tau^n - 1)/n) * w^i / (tau - w^i)]G1, then G2 and [tau]G2. Whoever knows tau can
/// forge proofs, so this is for development only. Points are produced in chunks so memory stays
/// proportional to one chunk plus what the destination keeps.
/// </summary>
internal static class SrsGeneration
{
    /// <summary>Points per chunk written to the destination (1 MiB of output).</summary>
    private const int ChunkPoints = 1 << 14;

    /// <summary>Points per parallel work item; each shares one field inversion per scalar window.</summary>
    private const int SliceLength = 2048;

    /// <summary>A uniformly random tau with tau^n != 1, so no Lagrange denominator vanishes for any k.</summary>
    public static Fr RandomTau()
    {
        Span<byte> bytes = stackalloc byte[48];
        while (true)
        {
            System.Security.Cryptography.RandomNumberGenerator.Fill(bytes);
            Fr tau = Fr.FromBigInteger(new BigInteger(bytes, isUnsigned: true));
            if (!tau.IsZero && tau.Pow(1UL << Curves.TwoAdicity) != Fr.One)
            {
                return tau;
            }
        }
    }

    public static async Task WriteAsync(
        Stream destination,
        int k,
        Fr tau,
        Fr omega,
        IProgress<SrsProgress>? progress,
        CancellationToken cancellationToken)
    {
        long n = SrsFormat.PointCount(k);
        Fr tauN = tau.Pow((ulong)n);
        if (tauN == Fr.One)
        {
            throw new ArgumentException("tau lies in the evaluation domain", nameof(tau));
        }

        var table = await Task.Run(() => new FixedBaseTable(Curves.G1Generator), cancellationToken).ConfigureAwait(false);

        byte[] header = new byte[SrsFormat.HeaderLength];
        SrsFormat.WriteHeader(header, k);
        await destination.WriteAsync(header, cancellationToken).ConfigureAwait(false);

        // (tau^n - 1) / n, the common factor of every Lagrange scalar.
        Fr lagrangeFactor = (tauN - Fr.One) * Fr.FromUInt64((ulong)n).Invert();

        byte[] chunk = new byte[Math.Min(n, ChunkPoints) * SrsFormat.G1Length];
        foreach (SrsStage stage in new[] { SrsStage.Powers, SrsStage.LagrangeBasis })
        {
            progress?.Report(new SrsProgress(stage, 0, n));
            for (long start = 0; start < n; start += ChunkPoints)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int count = (int)Math.Min(ChunkPoints, n - start);
                long chunkStart = start;
                await Task.Run(
                    () => ComputeChunk(stage, table, tau, omega, lagrangeFactor, chunkStart, count, chunk, cancellationToken),
                    cancellationToken).ConfigureAwait(false);
                await destination.WriteAsync(chunk.AsMemory(0, count * SrsFormat.G1Length), cancellationToken).ConfigureAwait(false);
                progress?.Report(new SrsProgress(stage, start + count, n));
            }
        }

        byte[] g2 = new byte[2 * SrsFormat.G2Length];
        SrsFormat.WriteG2(g2, Curves.G2Generator);
        Span<ulong> tauLimbs = stackalloc ulong[4];
        tau.ToCanonicalLimbs(out tauLimbs[0], out tauLimbs[1], out tauLimbs[2], out tauLimbs[3]);
        SrsFormat.WriteG2(g2.AsSpan(SrsFormat.G2Length), Curves.G2Generator.ToJacobian().Multiply(tauLimbs).ToAffine());
        await destination.WriteAsync(g2, cancellationToken).ConfigureAwait(false);
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void ComputeChunk(
        SrsStage stage, FixedBaseTable table, Fr tau, Fr omega, Fr lagrangeFactor,
        long chunkStart, int count, byte[] output, CancellationToken cancellationToken)
    {
        int slices = (count + SliceLength - 1) / SliceLength;
        Parallel.For(0, slices, new ParallelOptions { CancellationToken = cancellationToken }, slice =>
        {
            int offset = slice * SliceLength;
            int length = Math.Min(SliceLength, count - offset);
            long first = chunkStart + offset;
            var scalars = new Fr[length];
            if (stage == SrsStage.Powers)
            {
                Fr power = tau.Pow((ulong)first);
                for (int i = 0; i < length; i++)
                {
                    scalars[i] = power;
                    power *= tau;
                }
            }
            else
            {
                // L_i(tau) = factor * w^i / (tau - w^i): one batch inversion for the slice.
                var rootPowers = new Fr[length];
                Fr root = omega.Pow((ulong)first);
                for (int i = 0; i < length; i++)
                {
                    rootPowers[i] = root;
                    scalars[i] = tau - root;
                    root *= omega;
                }

                FieldBatch.Invert<Fr>(scalars);
                for (int i = 0; i < length; i++)
                {
                    scalars[i] = lagrangeFactor * rootPowers[i] * scalars[i];
                }
            }

            var affine = new AffinePoint<Fq>[length];
            table.MultiplyBatch(scalars, affine);
            SrsFormat.WriteG1Run(output.AsSpan(offset * SrsFormat.G1Length, length * SrsFormat.G1Length), affine);
        });
    }
}
