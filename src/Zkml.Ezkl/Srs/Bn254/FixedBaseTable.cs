using System.Runtime.CompilerServices;
using Fq = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FqModulus>;
using Fr = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FrModulus>;

namespace Zkml.Ezkl.Bn254;

/// <summary>
/// Precomputed multiples of one G1 base for fast scalar multiplication: for each 8-bit window w of a
/// 256-bit scalar, the affine points d * 2^(8w) * B for d = 1..255 (8160 points, about 0.5 MB). A
/// scalar multiplication is then at most 32 mixed additions and no doublings.
/// </summary>
internal sealed class FixedBaseTable
{
    private const int WindowBits = 8;
    private const int Windows = 256 / WindowBits;
    private const int PerWindow = (1 << WindowBits) - 1;

    private readonly AffinePoint<Fq>[] _table;

    public FixedBaseTable(AffinePoint<Fq> basePoint)
    {
        var jacobian = new JacobianPoint<Fq>[Windows * PerWindow];
        JacobianPoint<Fq> windowBase = basePoint.ToJacobian();
        for (int w = 0; w < Windows; w++)
        {
            JacobianPoint<Fq> multiple = windowBase;
            for (int d = 0; d < PerWindow; d++)
            {
                jacobian[(w * PerWindow) + d] = multiple;
                multiple = multiple.Add(windowBase);
            }

            // multiple is now 256 * windowBase = the next window's base.
            windowBase = multiple;
        }

        _table = new AffinePoint<Fq>[jacobian.Length];
        JacobianPoint<Fq>.BatchToAffine(jacobian, _table);
    }

    /// <summary>scalar * B for a canonical scalar given as little-endian limbs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public JacobianPoint<Fq> Multiply(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        JacobianPoint<Fq> acc = JacobianPoint<Fq>.Infinity;
        AffinePoint<Fq>[] table = _table;
        AddLimb(ref acc, table, s0, 0);
        AddLimb(ref acc, table, s1, 8);
        AddLimb(ref acc, table, s2, 16);
        AddLimb(ref acc, table, s3, 24);
        return acc;
    }

    /// <summary>scalar * B for a field element of Fr.</summary>
    public JacobianPoint<Fq> Multiply(Fr scalar)
    {
        scalar.ToCanonicalLimbs(out ulong s0, out ulong s1, out ulong s2, out ulong s3);
        return Multiply(s0, s1, s2, s3);
    }

    /// <summary>
    /// scalars[i] * B for many scalars at once, straight to affine, with every accumulator kept affine: per
    /// window, all the additions share one field inversion (Montgomery's trick), so an addition costs about
    /// six field products instead of the eleven of a mixed Jacobian one, and no final normalization is needed.
    /// </summary>
    public void MultiplyBatch(ReadOnlySpan<Fr> scalars, Span<AffinePoint<Fq>> results)
    {
        int count = scalars.Length;
        if (results.Length < count)
        {
            throw new ArgumentException("results is shorter than scalars", nameof(results));
        }

        var limbs = new ulong[count * 4];
        for (int i = 0; i < count; i++)
        {
            scalars[i].ToCanonicalLimbs(out limbs[4 * i], out limbs[(4 * i) + 1], out limbs[(4 * i) + 2], out limbs[(4 * i) + 3]);
        }

        var accX = new Fq[count];
        var accY = new Fq[count];
        var started = new bool[count];
        var pending = new int[count];
        var denominators = new Fq[count];
        AffinePoint<Fq>[] table = _table;
        for (int window = 0; window < Windows; window++)
        {
            int pendingCount = 0;
            for (int i = 0; i < count; i++)
            {
                int digit = (int)((limbs[(4 * i) + (window >> 3)] >> ((window & 7) * WindowBits)) & 0xFF);
                if (digit == 0)
                {
                    continue;
                }

                ref readonly AffinePoint<Fq> addend = ref table[(window * PerWindow) + digit - 1];
                if (!started[i])
                {
                    accX[i] = addend.X;
                    accY[i] = addend.Y;
                    started[i] = true;
                    continue;
                }

                Fq denominator = addend.X - accX[i];
                if (denominator.IsZero)
                {
                    // Unreachable for scalars below r (partial sums never meet the next window's multiples),
                    // but the general group law keeps the result right regardless.
                    AffinePoint<Fq> sum = new AffinePoint<Fq>(accX[i], accY[i]).ToJacobian().Add(addend).ToAffine();
                    accX[i] = sum.X;
                    accY[i] = sum.Y;
                    started[i] = !sum.IsInfinity;
                    continue;
                }

                denominators[pendingCount] = denominator;
                pending[pendingCount++] = i;
            }

            FieldBatch.Invert(denominators.AsSpan(0, pendingCount));
            for (int p = 0; p < pendingCount; p++)
            {
                int i = pending[p];
                ref readonly AffinePoint<Fq> addend = ref table[(window * PerWindow) + (int)((limbs[(4 * i) + (window >> 3)] >> ((window & 7) * WindowBits)) & 0xFF) - 1];
                Fq x1 = accX[i];
                Fq lambda = (addend.Y - accY[i]) * denominators[p];
                Fq x3 = lambda.Square() - x1 - addend.X;
                accY[i] = (lambda * (x1 - x3)) - accY[i];
                accX[i] = x3;
            }
        }

        for (int i = 0; i < count; i++)
        {
            results[i] = started[i] ? new AffinePoint<Fq>(accX[i], accY[i]) : AffinePoint<Fq>.Infinity;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddLimb(ref JacobianPoint<Fq> acc, AffinePoint<Fq>[] table, ulong limb, int firstWindow)
    {
        for (int i = 0; i < 8; i++)
        {
            int digit = (int)((limb >> (i * WindowBits)) & 0xFF);
            if (digit != 0)
            {
                acc = acc.Add(table[((firstWindow + i) * PerWindow) + digit - 1]);
            }
        }
    }
}
