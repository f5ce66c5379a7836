using System.Runtime.CompilerServices;

namespace Zkml.Ezkl.Bn254;

/// <summary>
/// A point of y^2 = x^3 + b in affine coordinates. The point at infinity is (0, 0), as halo2curves
/// encodes it (neither BN254 curve has a point with x = y = 0).
/// </summary>
internal readonly struct AffinePoint<TF> : IEquatable<AffinePoint<TF>>
    where TF : struct, IField<TF>
{
    public readonly TF X;
    public readonly TF Y;

    public AffinePoint(TF x, TF y)
    {
        X = x;
        Y = y;
    }

    public static AffinePoint<TF> Infinity => default;

    public bool IsInfinity => X.IsZero && Y.IsZero;

    public bool IsOnCurve(TF b) => IsInfinity || Y.Square().Equals((X.Square() * X) + b);

    public JacobianPoint<TF> ToJacobian() => IsInfinity ? JacobianPoint<TF>.Infinity : new(X, Y, TF.One);

    public AffinePoint<TF> Negate() => IsInfinity ? this : new(X, -Y);

    public bool Equals(AffinePoint<TF> other) => X.Equals(other.X) && Y.Equals(other.Y);

    public override bool Equals(object? obj) => obj is AffinePoint<TF> other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(X, Y);

    public override string ToString() => IsInfinity ? "infinity" : $"({X}, {Y})";
}

/// <summary>
/// A point of y^2 = x^3 + b in Jacobian coordinates (x = X/Z^2, y = Y/Z^3); Z = 0 is infinity. The
/// formulas are the a = 0 ones of the Explicit-Formulas Database and do not depend on b.
/// </summary>
internal readonly struct JacobianPoint<TF>
    where TF : struct, IField<TF>
{
    public readonly TF X;
    public readonly TF Y;
    public readonly TF Z;

    public JacobianPoint(TF x, TF y, TF z)
    {
        X = x;
        Y = y;
        Z = z;
    }

    public static JacobianPoint<TF> Infinity => new(TF.One, TF.One, TF.Zero);

    public bool IsInfinity => Z.IsZero;

    /// <summary>2P (dbl-2009-l).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public JacobianPoint<TF> Double()
    {
        if (Z.IsZero)
        {
            return this;
        }

        TF a = X.Square();
        TF b = Y.Square();
        TF c = b.Square();
        TF d = ((X + b).Square() - a - c).Double();
        TF e = a.Double() + a;
        TF f = e.Square();
        TF x3 = f - d.Double();
        TF c8 = c.Double().Double().Double();
        TF y3 = e * (d - x3) - c8;
        TF z3 = (Y * Z).Double();
        return new JacobianPoint<TF>(x3, y3, z3);
    }

    /// <summary>P + Q for an affine Q (madd-2007-bl), with the doubling and inverse cases handled.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public JacobianPoint<TF> Add(in AffinePoint<TF> q)
    {
        if (q.IsInfinity)
        {
            return this;
        }

        if (Z.IsZero)
        {
            return new JacobianPoint<TF>(q.X, q.Y, TF.One);
        }

        TF z1z1 = Z.Square();
        TF u2 = q.X * z1z1;
        TF s2 = q.Y * Z * z1z1;
        TF h = u2 - X;
        TF r = (s2 - Y).Double();
        if (h.IsZero)
        {
            return r.IsZero ? Double() : Infinity;
        }

        TF hh = h.Square();
        TF i = hh.Double().Double();
        TF j = h * i;
        TF v = X * i;
        TF x3 = r.Square() - j - v.Double();
        TF y3 = r * (v - x3) - (Y * j).Double();
        TF z3 = (Z + h).Square() - z1z1 - hh;
        return new JacobianPoint<TF>(x3, y3, z3);
    }

    /// <summary>P + Q for Jacobian points (add-2007-bl), with the doubling and inverse cases handled.</summary>
    public JacobianPoint<TF> Add(in JacobianPoint<TF> q)
    {
        if (q.Z.IsZero)
        {
            return this;
        }

        if (Z.IsZero)
        {
            return q;
        }

        TF z1z1 = Z.Square();
        TF z2z2 = q.Z.Square();
        TF u1 = X * z2z2;
        TF u2 = q.X * z1z1;
        TF s1 = Y * q.Z * z2z2;
        TF s2 = q.Y * Z * z1z1;
        TF h = u2 - u1;
        TF r = (s2 - s1).Double();
        if (h.IsZero)
        {
            return r.IsZero ? Double() : Infinity;
        }

        TF i = h.Double().Square();
        TF j = h * i;
        TF v = u1 * i;
        TF x3 = r.Square() - j - v.Double();
        TF y3 = r * (v - x3) - (s1 * j).Double();
        TF z3 = ((Z + q.Z).Square() - z1z1 - z2z2) * h;
        return new JacobianPoint<TF>(x3, y3, z3);
    }

    public JacobianPoint<TF> Negate() => new(X, -Y, Z);

    public AffinePoint<TF> ToAffine()
    {
        if (Z.IsZero)
        {
            return AffinePoint<TF>.Infinity;
        }

        TF zInv = Z.Invert();
        TF zInv2 = zInv.Square();
        return new AffinePoint<TF>(X * zInv2, Y * zInv2 * zInv);
    }

    /// <summary>k*P for a canonical scalar given as little-endian limbs (plain double-and-add; not constant time).</summary>
    public JacobianPoint<TF> Multiply(ReadOnlySpan<ulong> scalar)
    {
        JacobianPoint<TF> result = Infinity;
        for (int i = scalar.Length * 64 - 1; i >= 0; i--)
        {
            result = result.Double();
            if (((scalar[i >> 6] >> (i & 63)) & 1) != 0)
            {
                result = result.Add(this);
            }
        }

        return result;
    }

    /// <summary>k*P for a scalar of Fr, with a 4-bit fixed window (about 252 doublings and 63 additions).</summary>
    public JacobianPoint<TF> MultiplyWindowed(Fp<FrModulus> scalar)
    {
        scalar.ToCanonicalLimbs(out ulong s0, out ulong s1, out ulong s2, out ulong s3);
        Span<ulong> limbs = [s0, s1, s2, s3];
        var multiples = new JacobianPoint<TF>[16];
        multiples[0] = Infinity;
        multiples[1] = this;
        for (int d = 2; d < 16; d++)
        {
            multiples[d] = (d & 1) == 0 ? multiples[d / 2].Double() : multiples[d - 1].Add(this);
        }

        JacobianPoint<TF> result = Infinity;
        for (int nibble = 63; nibble >= 0; nibble--)
        {
            result = result.Double().Double().Double().Double();
            int digit = (int)((limbs[nibble >> 4] >> ((nibble & 15) * 4)) & 0xF);
            if (digit != 0)
            {
                result = result.Add(multiples[digit]);
            }
        }

        return result;
    }

    /// <summary>True when both represent the same point.</summary>
    public bool EqualsPoint(in JacobianPoint<TF> other)
    {
        if (Z.IsZero || other.Z.IsZero)
        {
            return Z.IsZero && other.Z.IsZero;
        }

        TF z1z1 = Z.Square();
        TF z2z2 = other.Z.Square();
        return (X * z2z2).Equals(other.X * z1z1) && (Y * other.Z * z2z2).Equals(other.Y * Z * z1z1);
    }

    /// <summary>Affine forms of many points with one field inversion (Montgomery's trick).</summary>
    public static void BatchToAffine(ReadOnlySpan<JacobianPoint<TF>> points, Span<AffinePoint<TF>> destination)
    {
        if (destination.Length < points.Length)
        {
            throw new ArgumentException("destination is shorter than points", nameof(destination));
        }

        // prefix[i] = product of the non-zero Zs before i; one inversion of the total, then walk back.
        TF[] prefix = new TF[points.Length];
        TF acc = TF.One;
        for (int i = 0; i < points.Length; i++)
        {
            prefix[i] = acc;
            if (!points[i].Z.IsZero)
            {
                acc *= points[i].Z;
            }
        }

        TF inv = acc.Invert();
        for (int i = points.Length - 1; i >= 0; i--)
        {
            ref readonly JacobianPoint<TF> p = ref points[i];
            if (p.Z.IsZero)
            {
                destination[i] = AffinePoint<TF>.Infinity;
                continue;
            }

            TF zInv = inv * prefix[i];
            inv *= p.Z;
            TF zInv2 = zInv.Square();
            destination[i] = new AffinePoint<TF>(p.X * zInv2, p.Y * zInv2 * zInv);
        }
    }
}
