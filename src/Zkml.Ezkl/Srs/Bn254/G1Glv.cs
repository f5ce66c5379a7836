using System.Numerics;
using Fq = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FqModulus>;
using Fr = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FrModulus>;

namespace Zkml.Ezkl.Bn254;

/// <summary>
/// Variable-base G1 scalar multiplication with the GLV endomorphism: phi(x, y) = (beta*x, y) equals
/// lambda*P for a cube root of unity lambda of Fr, so k*P = k1*P + k2*phi(P) with k1 and k2 of about 128
/// bits, computed together with 4-bit windows: half the doublings of a plain window method. This is the unit
/// of work of the FFT over G1 that downsizing runs.
/// </summary>
internal static class G1Glv
{
    /// <summary>A primitive cube root of unity of Fq (the one paired with <see cref="Lambda"/>).</summary>
    private static readonly Fq Beta = Fq.FromBigInteger(BigInteger.Parse("2203960485148121921418603742825762020974279258880205651966"));

    /// <summary>The cube root of unity of Fr with phi(P) = Lambda * P on G1.</summary>
    internal static readonly BigInteger Lambda = BigInteger.Parse("4407920970296243842393367215006156084916469457145843978461");

    private static readonly BigInteger R = Fr.Modulus;

    // A reduced basis (A1, B1), (A2, B2) of the lattice {(a, b) : a + b*Lambda = 0 mod r}, from the extended
    // Euclidean algorithm on (r, Lambda) (Gallant, Lambert, Vanstone 2001, section 4).
    private static readonly (BigInteger A1, BigInteger B1, BigInteger A2, BigInteger B2, BigInteger Det) Basis = ReducedBasis();

    /// <summary>phi(P) = (beta*X, Y, Z) in Jacobian coordinates.</summary>
    public static JacobianPoint<Fq> Endomorphism(in JacobianPoint<Fq> p) => new(p.X * Beta, p.Y, p.Z);

    /// <summary>k = k1 + k2*Lambda (mod r) with |k1|, |k2| below 2^128.</summary>
    public static (BigInteger K1, BigInteger K2) Decompose(BigInteger k)
    {
        (BigInteger a1, BigInteger b1, BigInteger a2, BigInteger b2, BigInteger det) = Basis;
        BigInteger c1 = RoundedDivide(b2 * k, det);
        BigInteger c2 = RoundedDivide(-b1 * k, det);
        return (k - (c1 * a1) - (c2 * a2), -(c1 * b1) - (c2 * b2));
    }

    /// <summary>scalar * P.</summary>
    public static JacobianPoint<Fq> Multiply(in JacobianPoint<Fq> point, Fr scalar)
    {
        (BigInteger k1, BigInteger k2) = Decompose(scalar.ToBigInteger());
        JacobianPoint<Fq> p1 = k1.Sign < 0 ? point.Negate() : point;
        JacobianPoint<Fq> p2 = Endomorphism(k2.Sign < 0 ? point.Negate() : point);
        Span<ulong> n1 = stackalloc ulong[2];
        Span<ulong> n2 = stackalloc ulong[2];
        ToLimbs(BigInteger.Abs(k1), n1);
        ToLimbs(BigInteger.Abs(k2), n2);

        var t1 = new JacobianPoint<Fq>[16];
        var t2 = new JacobianPoint<Fq>[16];
        t1[1] = p1;
        t2[1] = p2;
        for (int d = 2; d < 16; d++)
        {
            t1[d] = (d & 1) == 0 ? t1[d / 2].Double() : t1[d - 1].Add(p1);
            t2[d] = (d & 1) == 0 ? t2[d / 2].Double() : t2[d - 1].Add(p2);
        }

        JacobianPoint<Fq> result = JacobianPoint<Fq>.Infinity;
        for (int nibble = 31; nibble >= 0; nibble--)
        {
            result = result.Double().Double().Double().Double();
            int d1 = (int)((n1[nibble >> 4] >> ((nibble & 15) * 4)) & 0xF);
            int d2 = (int)((n2[nibble >> 4] >> ((nibble & 15) * 4)) & 0xF);
            if (d1 != 0)
            {
                result = result.Add(t1[d1]);
            }

            if (d2 != 0)
            {
                result = result.Add(t2[d2]);
            }
        }

        return result;
    }

    private static void ToLimbs(BigInteger value, Span<ulong> limbs)
    {
        if (value >= BigInteger.One << 128)
        {
            throw new InvalidOperationException("GLV half-scalar exceeds 128 bits");
        }

        limbs[0] = (ulong)(value & ulong.MaxValue);
        limbs[1] = (ulong)(value >> 64);
    }

    private static BigInteger RoundedDivide(BigInteger numerator, BigInteger denominator)
    {
        if (denominator.Sign < 0)
        {
            numerator = -numerator;
            denominator = -denominator;
        }

        BigInteger twice = (2 * numerator) + denominator;
        BigInteger quotient = BigInteger.DivRem(twice, 2 * denominator, out BigInteger remainder);
        return remainder.Sign < 0 ? quotient - 1 : quotient; // floor((2n + d) / 2d) = round(n / d)
    }

    private static (BigInteger, BigInteger, BigInteger, BigInteger, BigInteger) ReducedBasis()
    {
        // Extended Euclid on (r, lambda): r_i = s_i*r + t_i*lambda. Stop at the first remainder below sqrt(r).
        BigInteger sqrtR = Sqrt(R);
        BigInteger rPrev = R, rCur = Lambda;
        BigInteger tPrev = 0, tCur = 1;
        while (rCur >= sqrtR)
        {
            BigInteger q = rPrev / rCur;
            (rPrev, rCur) = (rCur, rPrev - (q * rCur));
            (tPrev, tCur) = (tCur, tPrev - (q * tCur));
        }

        // Now rPrev >= sqrt(r) > rCur. v1 = (rCur, -tCur); v2 is the shorter of (rPrev, -tPrev) and the next one.
        BigInteger a1 = rCur, b1 = -tCur;
        BigInteger qNext = rPrev / rCur;
        BigInteger rNext = rPrev - (qNext * rCur), tNext = tPrev - (qNext * tCur);
        (BigInteger a2, BigInteger b2) = (rPrev * rPrev) + (tPrev * tPrev) <= (rNext * rNext) + (tNext * tNext)
            ? (rPrev, -tPrev)
            : (rNext, -tNext);
        return (a1, b1, a2, b2, (a1 * b2) - (a2 * b1));
    }

    private static BigInteger Sqrt(BigInteger n)
    {
        // Newton's iteration from above: floor(sqrt(n)).
        BigInteger x = BigInteger.One << (int)((n.GetBitLength() / 2) + 1);
        while (true)
        {
            BigInteger next = (x + (n / x)) >> 1;
            if (next >= x)
            {
                return x;
            }

            x = next;
        }
    }
}
