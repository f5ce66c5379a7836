using System.Runtime.CompilerServices;

namespace Zkml.Ezkl.Bn254;

/// <summary>
/// Four-limb (256-bit) Montgomery arithmetic shared by the BN254 base field Fq and scalar field Fr (see <see cref="Fp{TM}"/>).
/// Both BN254 moduli have a top limb below 2^62, which lets multiplication skip the extra carry word
/// (the "no-carry" CIOS variant) and lets additions stay within four limbs.
/// </summary>
internal static class Montgomery
{
    /// <summary>a + b*c + carry, returning the low word and leaving the high word in carry.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mac(ulong a, ulong b, ulong c, ref ulong carry)
    {
        ulong hi = Math.BigMul(b, c, out ulong lo);
        lo += a;
        hi += lo < a ? 1UL : 0UL;
        lo += carry;
        hi += lo < carry ? 1UL : 0UL;
        carry = hi;
        return lo;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong AddCarry(ulong a, ulong b, ref ulong carry)
    {
        ulong s = a + b;
        ulong c1 = s < a ? 1UL : 0UL;
        ulong t = s + carry;
        ulong c2 = t < s ? 1UL : 0UL;
        carry = c1 + c2;
        return t;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SubBorrow(ulong a, ulong b, ref ulong borrow)
    {
        ulong d = a - b;
        ulong b1 = a < b ? 1UL : 0UL;
        ulong t = d - borrow;
        ulong b2 = d < borrow ? 1UL : 0UL;
        borrow = b1 | b2;
        return t;
    }

    /// <summary>Montgomery product a*b/2^256 mod m, fully reduced.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Mul(
        ulong a0, ulong a1, ulong a2, ulong a3,
        ulong b0, ulong b1, ulong b2, ulong b3,
        ulong m0, ulong m1, ulong m2, ulong m3, ulong inv,
        out ulong r0, out ulong r1, out ulong r2, out ulong r3)
    {
        ulong t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        Round(a0, a1, a2, a3, b0, m0, m1, m2, m3, inv, ref t0, ref t1, ref t2, ref t3);
        Round(a0, a1, a2, a3, b1, m0, m1, m2, m3, inv, ref t0, ref t1, ref t2, ref t3);
        Round(a0, a1, a2, a3, b2, m0, m1, m2, m3, inv, ref t0, ref t1, ref t2, ref t3);
        Round(a0, a1, a2, a3, b3, m0, m1, m2, m3, inv, ref t0, ref t1, ref t2, ref t3);
        Reduce(t0, t1, t2, t3, m0, m1, m2, m3, out r0, out r1, out r2, out r3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(
        ulong a0, ulong a1, ulong a2, ulong a3, ulong bi,
        ulong m0, ulong m1, ulong m2, ulong m3, ulong inv,
        ref ulong t0, ref ulong t1, ref ulong t2, ref ulong t3)
    {
        ulong A = 0;
        t0 = Mac(t0, a0, bi, ref A);
        ulong m = t0 * inv;
        ulong C = 0;
        _ = Mac(t0, m, m0, ref C);
        t1 = Mac(t1, a1, bi, ref A);
        t0 = Mac(t1, m, m1, ref C);
        t2 = Mac(t2, a2, bi, ref A);
        t1 = Mac(t2, m, m2, ref C);
        t3 = Mac(t3, a3, bi, ref A);
        t2 = Mac(t3, m, m3, ref C);
        t3 = C + A;
    }

    /// <summary>Subtracts m once when the value is at least m.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Reduce(
        ulong t0, ulong t1, ulong t2, ulong t3,
        ulong m0, ulong m1, ulong m2, ulong m3,
        out ulong r0, out ulong r1, out ulong r2, out ulong r3)
    {
        ulong borrow = 0;
        ulong s0 = SubBorrow(t0, m0, ref borrow);
        ulong s1 = SubBorrow(t1, m1, ref borrow);
        ulong s2 = SubBorrow(t2, m2, ref borrow);
        ulong s3 = SubBorrow(t3, m3, ref borrow);
        if (borrow == 0)
        {
            r0 = s0; r1 = s1; r2 = s2; r3 = s3;
        }
        else
        {
            r0 = t0; r1 = t1; r2 = t2; r3 = t3;
        }
    }

    /// <summary>(a + b) mod m for reduced inputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Add(
        ulong a0, ulong a1, ulong a2, ulong a3,
        ulong b0, ulong b1, ulong b2, ulong b3,
        ulong m0, ulong m1, ulong m2, ulong m3,
        out ulong r0, out ulong r1, out ulong r2, out ulong r3)
    {
        ulong c = 0;
        ulong s0 = AddCarry(a0, b0, ref c);
        ulong s1 = AddCarry(a1, b1, ref c);
        ulong s2 = AddCarry(a2, b2, ref c);
        ulong s3 = AddCarry(a3, b3, ref c);
        Reduce(s0, s1, s2, s3, m0, m1, m2, m3, out r0, out r1, out r2, out r3);
    }

    /// <summary>(a - b) mod m for reduced inputs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Sub(
        ulong a0, ulong a1, ulong a2, ulong a3,
        ulong b0, ulong b1, ulong b2, ulong b3,
        ulong m0, ulong m1, ulong m2, ulong m3,
        out ulong r0, out ulong r1, out ulong r2, out ulong r3)
    {
        ulong borrow = 0;
        r0 = SubBorrow(a0, b0, ref borrow);
        r1 = SubBorrow(a1, b1, ref borrow);
        r2 = SubBorrow(a2, b2, ref borrow);
        r3 = SubBorrow(a3, b3, ref borrow);
        if (borrow != 0)
        {
            ulong c = 0;
            r0 = AddCarry(r0, m0, ref c);
            r1 = AddCarry(r1, m1, ref c);
            r2 = AddCarry(r2, m2, ref c);
            r3 = AddCarry(r3, m3, ref c);
        }
    }

    /// <summary>True when the little-endian limbs are strictly below m.</summary>
    public static bool IsBelow(ulong a0, ulong a1, ulong a2, ulong a3, ulong m0, ulong m1, ulong m2, ulong m3)
    {
        ulong borrow = 0;
        _ = SubBorrow(a0, m0, ref borrow);
        _ = SubBorrow(a1, m1, ref borrow);
        _ = SubBorrow(a2, m2, ref borrow);
        _ = SubBorrow(a3, m3, ref borrow);
        return borrow != 0;
    }
}
