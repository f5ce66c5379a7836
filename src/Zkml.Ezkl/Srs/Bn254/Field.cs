using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Zkml.Ezkl.Bn254;

/// <summary>Arithmetic every field used by the curve code provides.</summary>
internal interface IField<T> : IEquatable<T>
    where T : struct, IField<T>
{
    static abstract T Zero { get; }

    static abstract T One { get; }

    bool IsZero { get; }

    static abstract T operator +(T a, T b);

    static abstract T operator -(T a, T b);

    static abstract T operator -(T a);

    static abstract T operator *(T a, T b);

    T Square();

    T Double();

    /// <summary>The multiplicative inverse; zero maps to zero.</summary>
    T Invert();
}

/// <summary>
/// The constants of a 4-limb prime modulus whose top limb is below 2^62 (true of both BN254 moduli), which
/// lets multiplication skip the extra carry word of textbook CIOS and lets sums stay within four limbs.
/// </summary>
internal interface IModulus
{
    static abstract ulong M0 { get; }
    static abstract ulong M1 { get; }
    static abstract ulong M2 { get; }
    static abstract ulong M3 { get; }

    /// <summary>-m^-1 mod 2^64.</summary>
    static abstract ulong Inv { get; }

    /// <summary>2^256 mod m (one, in Montgomery form).</summary>
    static abstract ulong R0 { get; }
    static abstract ulong R1 { get; }
    static abstract ulong R2 { get; }
    static abstract ulong R3 { get; }

    /// <summary>2^512 mod m (converts a canonical value into Montgomery form).</summary>
    static abstract ulong RR0 { get; }
    static abstract ulong RR1 { get; }
    static abstract ulong RR2 { get; }
    static abstract ulong RR3 { get; }
}

/// <summary>
/// An element of a 256-bit prime field, stored in Montgomery form (x * 2^256 mod m) as four 64-bit
/// little-endian limbs: the exact layout halo2curves writes in its RawBytes serialization.
/// </summary>
internal readonly struct Fp<TM> : IField<Fp<TM>>
    where TM : struct, IModulus
{
    internal readonly ulong L0;
    internal readonly ulong L1;
    internal readonly ulong L2;
    internal readonly ulong L3;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Fp(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        L0 = l0;
        L1 = l1;
        L2 = l2;
        L3 = l3;
    }

    public static Fp<TM> Zero => default;

    public static Fp<TM> One => new(TM.R0, TM.R1, TM.R2, TM.R3);

    /// <summary>The modulus as a BigInteger.</summary>
    public static BigInteger Modulus => Compose(TM.M0, TM.M1, TM.M2, TM.M3);

    public bool IsZero => (L0 | L1 | L2 | L3) == 0;

    /// <summary>Wraps limbs that are already in Montgomery form; false when they are not below the modulus.</summary>
    public static bool TryFromMontgomeryLimbs(ulong l0, ulong l1, ulong l2, ulong l3, out Fp<TM> value)
    {
        value = new Fp<TM>(l0, l1, l2, l3);

        // Below m exactly when subtracting m borrows out of the top limb.
        ulong borrow = l0 < TM.M0 ? 1UL : 0UL;
        borrow = (l1 < TM.M1) | ((l1 == TM.M1) & (borrow != 0)) ? 1UL : 0UL;
        borrow = (l2 < TM.M2) | ((l2 == TM.M2) & (borrow != 0)) ? 1UL : 0UL;
        borrow = (l3 < TM.M3) | ((l3 == TM.M3) & (borrow != 0)) ? 1UL : 0UL;
        return borrow != 0;
    }

    /// <summary>Reads 32 bytes of little-endian Montgomery limbs; false when the value is not below the modulus.</summary>
    public static bool TryReadMontgomery(ReadOnlySpan<byte> source, out Fp<TM> value) =>
        TryFromMontgomeryLimbs(
            BinaryPrimitives.ReadUInt64LittleEndian(source),
            BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[24..]),
            out value);

    /// <summary>Writes the 32-byte Montgomery form (halo2curves <c>write_raw</c>).</summary>
    public void WriteMontgomery(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, L0);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], L1);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], L2);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], L3);
    }

    /// <summary>The element whose canonical value is <paramref name="value"/> mod m.</summary>
    public static Fp<TM> FromBigInteger(BigInteger value)
    {
        value %= Modulus;
        if (value.Sign < 0)
        {
            value += Modulus;
        }

        Span<byte> bytes = stackalloc byte[32];
        bytes.Clear();
        value.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        var canonical = new Fp<TM>(
            BinaryPrimitives.ReadUInt64LittleEndian(bytes),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]),
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]));
        return canonical * new Fp<TM>(TM.RR0, TM.RR1, TM.RR2, TM.RR3);
    }

    public static Fp<TM> FromUInt64(ulong value) =>
        new Fp<TM>(value, 0, 0, 0) * new Fp<TM>(TM.RR0, TM.RR1, TM.RR2, TM.RR3);

    /// <summary>The canonical (non-Montgomery) limbs, little-endian: what scalar multiplication consumes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ToCanonicalLimbs(out ulong c0, out ulong c1, out ulong c2, out ulong c3)
    {
        Fp<TM> canonical = this * new Fp<TM>(1, 0, 0, 0);
        c0 = canonical.L0;
        c1 = canonical.L1;
        c2 = canonical.L2;
        c3 = canonical.L3;
    }

    public BigInteger ToBigInteger()
    {
        ToCanonicalLimbs(out ulong c0, out ulong c1, out ulong c2, out ulong c3);
        return Compose(c0, c1, c2, c3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp<TM> operator +(Fp<TM> a, Fp<TM> b)
    {
        // Both inputs are below m < 2^254, so the sum fits in four limbs.
        ulong s0 = a.L0 + b.L0;
        ulong carry = s0 < a.L0 ? 1UL : 0UL;
        ulong s1 = a.L1 + b.L1;
        ulong next = s1 < a.L1 ? 1UL : 0UL;
        s1 += carry;
        carry = next | (s1 < carry ? 1UL : 0UL);
        ulong s2 = a.L2 + b.L2;
        next = s2 < a.L2 ? 1UL : 0UL;
        s2 += carry;
        carry = next | (s2 < carry ? 1UL : 0UL);
        ulong s3 = a.L3 + b.L3 + carry;
        return Reduced(s0, s1, s2, s3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp<TM> operator -(Fp<TM> a, Fp<TM> b)
    {
        ulong d0 = a.L0 - b.L0;
        ulong borrow = a.L0 < b.L0 ? 1UL : 0UL;
        ulong d1 = a.L1 - b.L1 - borrow;
        borrow = (a.L1 < b.L1) | ((a.L1 == b.L1) & (borrow != 0)) ? 1UL : 0UL;
        ulong d2 = a.L2 - b.L2 - borrow;
        borrow = (a.L2 < b.L2) | ((a.L2 == b.L2) & (borrow != 0)) ? 1UL : 0UL;
        ulong d3 = a.L3 - b.L3 - borrow;
        borrow = (a.L3 < b.L3) | ((a.L3 == b.L3) & (borrow != 0)) ? 1UL : 0UL;
        if (borrow == 0)
        {
            return new Fp<TM>(d0, d1, d2, d3);
        }

        // Went below zero: add m back (the final carry out cancels the borrow).
        ulong r0 = d0 + TM.M0;
        ulong carry = r0 < d0 ? 1UL : 0UL;
        ulong r1 = d1 + TM.M1;
        ulong next = r1 < d1 ? 1UL : 0UL;
        r1 += carry;
        carry = next | (r1 < carry ? 1UL : 0UL);
        ulong r2 = d2 + TM.M2;
        next = r2 < d2 ? 1UL : 0UL;
        r2 += carry;
        carry = next | (r2 < carry ? 1UL : 0UL);
        ulong r3 = d3 + TM.M3 + carry;
        return new Fp<TM>(r0, r1, r2, r3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp<TM> operator -(Fp<TM> a) => Zero - a;

    /// <summary>Montgomery product (CIOS, no-carry variant: valid because the top limb of m is below 2^62).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp<TM> operator *(Fp<TM> a, Fp<TM> b)
    {
        var t = MontgomeryRound(a, b.L0, default);
        t = MontgomeryRound(a, b.L1, t);
        t = MontgomeryRound(a, b.L2, t);
        t = MontgomeryRound(a, b.L3, t);
        return Reduced(t.L0, t.L1, t.L2, t.L3);
    }

    /// <summary>One CIOS round: t = (t + a·b + m·M) / 2^64 with m chosen to clear the low limb.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Fp<TM> MontgomeryRound(Fp<TM> a, ulong b, Fp<TM> t)
    {
        ulong a0 = a.L0, a1 = a.L1, a2 = a.L2, a3 = a.L3;
        ulong t0 = t.L0, t1 = t.L1, t2 = t.L2, t3 = t.L3;
        ulong hi, lo, A, C, m;
        hi = MulHigh(a0, b);
        lo = a0 * b;
        lo += t0;
        A = hi + (lo < t0 ? 1UL : 0UL);
        t0 = lo;
        m = t0 * TM.Inv;
        hi = MulHigh(m, TM.M0);
        lo = m * TM.M0;
        lo += t0;
        C = hi + (lo < t0 ? 1UL : 0UL);
        hi = MulHigh(a1, b);
        lo = a1 * b;
        lo += t1;
        hi += lo < t1 ? 1UL : 0UL;
        lo += A;
        A = hi + (lo < A ? 1UL : 0UL);
        t1 = lo;
        hi = MulHigh(m, TM.M1);
        lo = m * TM.M1;
        lo += t1;
        hi += lo < t1 ? 1UL : 0UL;
        lo += C;
        C = hi + (lo < C ? 1UL : 0UL);
        t0 = lo;
        hi = MulHigh(a2, b);
        lo = a2 * b;
        lo += t2;
        hi += lo < t2 ? 1UL : 0UL;
        lo += A;
        A = hi + (lo < A ? 1UL : 0UL);
        t2 = lo;
        hi = MulHigh(m, TM.M2);
        lo = m * TM.M2;
        lo += t2;
        hi += lo < t2 ? 1UL : 0UL;
        lo += C;
        C = hi + (lo < C ? 1UL : 0UL);
        t1 = lo;
        hi = MulHigh(a3, b);
        lo = a3 * b;
        lo += t3;
        hi += lo < t3 ? 1UL : 0UL;
        lo += A;
        A = hi + (lo < A ? 1UL : 0UL);
        t3 = lo;
        hi = MulHigh(m, TM.M3);
        lo = m * TM.M3;
        lo += t3;
        hi += lo < t3 ? 1UL : 0UL;
        lo += C;
        C = hi + (lo < C ? 1UL : 0UL);
        t2 = lo;
        t3 = C + A;
        return new Fp<TM>(t0, t1, t2, t3);
    }

    /// <summary>
    /// The high 64 bits of a 64x64-bit product. The low half is a plain multiplication: Math.BigMul's
    /// out parameter makes the JIT round-trip it through the stack, which costs more than a second multiply.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulHigh(ulong a, ulong b)
    {
        if (Bmi2.X64.IsSupported)
        {
            return Bmi2.X64.MultiplyNoFlags(a, b);
        }

        if (ArmBase.Arm64.IsSupported)
        {
            return ArmBase.Arm64.MultiplyHigh(a, b);
        }

        return Math.BigMul(a, b, out _);
    }

    /// <summary>Subtracts m once when t is at least m (t is below 2m).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Fp<TM> Reduced(ulong t0, ulong t1, ulong t2, ulong t3)
    {
        ulong s0 = t0 - TM.M0;
        ulong borrow = t0 < TM.M0 ? 1UL : 0UL;
        ulong s1 = t1 - TM.M1 - borrow;
        borrow = (t1 < TM.M1) | ((t1 == TM.M1) & (borrow != 0)) ? 1UL : 0UL;
        ulong s2 = t2 - TM.M2 - borrow;
        borrow = (t2 < TM.M2) | ((t2 == TM.M2) & (borrow != 0)) ? 1UL : 0UL;
        ulong s3 = t3 - TM.M3 - borrow;
        borrow = (t3 < TM.M3) | ((t3 == TM.M3) & (borrow != 0)) ? 1UL : 0UL;
        return borrow == 0 ? new Fp<TM>(s0, s1, s2, s3) : new Fp<TM>(t0, t1, t2, t3);
    }

    public static bool operator ==(Fp<TM> a, Fp<TM> b) => a.Equals(b);

    public static bool operator !=(Fp<TM> a, Fp<TM> b) => !a.Equals(b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fp<TM> Square() => this * this;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fp<TM> Double() => this + this;

    /// <summary>this^e for a canonical exponent given as little-endian limbs.</summary>
    public Fp<TM> Pow(ulong e0, ulong e1, ulong e2, ulong e3)
    {
        Span<ulong> e = [e0, e1, e2, e3];
        Fp<TM> result = One;
        for (int i = 255; i >= 0; i--)
        {
            result = result.Square();
            if (((e[i >> 6] >> (i & 63)) & 1) != 0)
            {
                result *= this;
            }
        }

        return result;
    }

    public Fp<TM> Pow(ulong e) => Pow(e, 0, 0, 0);

    /// <summary>Fermat inversion, this^(m-2); zero maps to zero.</summary>
    public Fp<TM> Invert()
    {
        // m - 2: both moduli end in a low limb of at least 2, so no borrow crosses limbs.
        return Pow(TM.M0 - 2, TM.M1, TM.M2, TM.M3);
    }

    public bool Equals(Fp<TM> other) => L0 == other.L0 && L1 == other.L1 && L2 == other.L2 && L3 == other.L3;

    public override bool Equals(object? obj) => obj is Fp<TM> other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(L0, L1, L2, L3);

    public override string ToString() => "0x" + ToBigInteger().ToString("x64");

    private static BigInteger Compose(ulong c0, ulong c1, ulong c2, ulong c3)
    {
        Span<byte> bytes = stackalloc byte[32];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, c0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[8..], c1);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[16..], c2);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[24..], c3);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
    }
}

/// <summary>The BN254 base field modulus q.</summary>
internal readonly struct FqModulus : IModulus
{
    public static ulong M0 => 0x3c208c16d87cfd47UL;
    public static ulong M1 => 0x97816a916871ca8dUL;
    public static ulong M2 => 0xb85045b68181585dUL;
    public static ulong M3 => 0x30644e72e131a029UL;
    public static ulong Inv => 0x87d20782e4866389UL;
    public static ulong R0 => 0xd35d438dc58f0d9dUL;
    public static ulong R1 => 0x0a78eb28f5c70b3dUL;
    public static ulong R2 => 0x666ea36f7879462cUL;
    public static ulong R3 => 0x0e0a77c19a07df2fUL;
    public static ulong RR0 => 0xf32cfc5b538afa89UL;
    public static ulong RR1 => 0xb5e71911d44501fbUL;
    public static ulong RR2 => 0x47ab1eff0a417ff6UL;
    public static ulong RR3 => 0x06d89f71cab8351fUL;
}

/// <summary>The BN254 scalar field modulus r (the order of G1 and G2).</summary>
internal readonly struct FrModulus : IModulus
{
    public static ulong M0 => 0x43e1f593f0000001UL;
    public static ulong M1 => 0x2833e84879b97091UL;
    public static ulong M2 => 0xb85045b68181585dUL;
    public static ulong M3 => 0x30644e72e131a029UL;
    public static ulong Inv => 0xc2e1f593efffffffUL;
    public static ulong R0 => 0xac96341c4ffffffbUL;
    public static ulong R1 => 0x36fc76959f60cd29UL;
    public static ulong R2 => 0x666ea36f7879462eUL;
    public static ulong R3 => 0x0e0a77c19a07df2fUL;
    public static ulong RR0 => 0x1bb8e645ae216da7UL;
    public static ulong RR1 => 0x53fe3ab1e35c59e3UL;
    public static ulong RR2 => 0x8c49833d53bb8085UL;
    public static ulong RR3 => 0x0216d0b17f4e44a5UL;
}

/// <summary>Helpers over many field elements.</summary>
internal static class FieldBatch
{
    /// <summary>Inverts every non-zero element in place with one field inversion (Montgomery's trick); zeros stay zero.</summary>
    public static void Invert<T>(Span<T> values)
        where T : struct, IField<T> => Invert(values, new T[values.Length]);

    /// <summary>As <see cref="Invert{T}(Span{T})"/>, with caller-provided scratch space of at least values.Length elements.</summary>
    public static void Invert<T>(Span<T> values, Span<T> prefix)
        where T : struct, IField<T>
    {
        T acc = T.One;
        for (int i = 0; i < values.Length; i++)
        {
            prefix[i] = acc;
            if (!values[i].IsZero)
            {
                acc *= values[i];
            }
        }

        T inv = acc.Invert();
        for (int i = values.Length - 1; i >= 0; i--)
        {
            if (values[i].IsZero)
            {
                continue;
            }

            T original = values[i];
            values[i] = inv * prefix[i];
            inv *= original;
        }
    }
}
