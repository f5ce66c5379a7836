using System.Buffers.Binary;
using Zkml.Ezkl.Bn254;
using Fq = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FqModulus>;

namespace Zkml.Ezkl;

/// <summary>
/// The RawBytes layout of halo2's <c>ParamsKZG&lt;Bn256&gt;</c>, the SRS file ezkl reads:
/// u32 k (little-endian) | 2^k G1 powers [tau^i]G1 | 2^k G1 Lagrange points [L_i(tau)]G1 | G2 generator | [tau]G2.
/// Every coordinate is the Montgomery form of an Fq element as four little-endian 64-bit limbs;
/// G1 is x||y (64 bytes), G2 is x.c0||x.c1||y.c0||y.c1 (128 bytes).
/// </summary>
internal static class SrsFormat
{
    public const int HeaderLength = 4;
    public const int G1Length = 64;
    public const int G2Length = 128;

    /// <summary>The largest k the format and Fr's two-adicity allow.</summary>
    public const int MaxLogRows = Curves.TwoAdicity;

    public static long PointCount(int k) => 1L << k;

    public static long FileLength(int k) => HeaderLength + (2 * G1Length * PointCount(k)) + (2 * G2Length);

    public static long PowersOffset => HeaderLength;

    public static long LagrangeOffset(int k) => HeaderLength + (G1Length * PointCount(k));

    public static long G2Offset(int k) => HeaderLength + (2 * G1Length * PointCount(k));

    public static void WriteHeader(Span<byte> destination, int k) => BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)k);

    public static void WriteG1(Span<byte> destination, in AffinePoint<Fq> point)
    {
        point.X.WriteMontgomery(destination);
        point.Y.WriteMontgomery(destination[32..]);
    }

    public static void WriteG2(Span<byte> destination, in AffinePoint<Fq2> point)
    {
        point.X.C0.WriteMontgomery(destination);
        point.X.C1.WriteMontgomery(destination[32..]);
        point.Y.C0.WriteMontgomery(destination[64..]);
        point.Y.C1.WriteMontgomery(destination[96..]);
    }

    /// <summary>Decodes a G1 point; false when a coordinate is not below q (what halo2's reader rejects).</summary>
    public static bool TryReadG1(ReadOnlySpan<byte> source, out AffinePoint<Fq> point)
    {
        bool ok = Fq.TryReadMontgomery(source, out Fq x) & Fq.TryReadMontgomery(source[32..], out Fq y);
        point = new AffinePoint<Fq>(x, y);
        return ok;
    }

    /// <summary>Decodes a G2 point; false when a coordinate is not below q.</summary>
    public static bool TryReadG2(ReadOnlySpan<byte> source, out AffinePoint<Fq2> point)
    {
        bool ok = Fq.TryReadMontgomery(source, out Fq x0)
            & Fq.TryReadMontgomery(source[32..], out Fq x1)
            & Fq.TryReadMontgomery(source[64..], out Fq y0)
            & Fq.TryReadMontgomery(source[96..], out Fq y1);
        point = new AffinePoint<Fq2>(new Fq2(x0, x1), new Fq2(y0, y1));
        return ok;
    }

    /// <summary>Serializes many G1 points back to back.</summary>
    public static void WriteG1Run(Span<byte> destination, ReadOnlySpan<AffinePoint<Fq>> points)
    {
        for (int i = 0; i < points.Length; i++)
        {
            WriteG1(destination.Slice(i * G1Length, G1Length), points[i]);
        }
    }
}
