using Fq = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FqModulus>;

namespace Zkml.Ezkl.Bn254;

/// <summary>The quadratic extension Fq[u]/(u^2 + 1) over which G2 is defined: c0 + c1*u.</summary>
internal readonly struct Fq2 : IField<Fq2>
{
    public readonly Fq C0;
    public readonly Fq C1;

    public Fq2(Fq c0, Fq c1)
    {
        C0 = c0;
        C1 = c1;
    }

    public static Fq2 Zero => default;

    public static Fq2 One => new(Fq.One, Fq.Zero);

    public bool IsZero => C0.IsZero && C1.IsZero;

    public static Fq2 operator +(Fq2 a, Fq2 b) => new(a.C0 + b.C0, a.C1 + b.C1);

    public static Fq2 operator -(Fq2 a, Fq2 b) => new(a.C0 - b.C0, a.C1 - b.C1);

    public static Fq2 operator -(Fq2 a) => new(-a.C0, -a.C1);

    public static Fq2 operator *(Fq2 a, Fq2 b)
    {
        // Karatsuba: three base-field products.
        Fq v0 = a.C0 * b.C0;
        Fq v1 = a.C1 * b.C1;
        Fq cross = (a.C0 + a.C1) * (b.C0 + b.C1);
        return new Fq2(v0 - v1, cross - v0 - v1);
    }

    public static bool operator ==(Fq2 a, Fq2 b) => a.Equals(b);

    public static bool operator !=(Fq2 a, Fq2 b) => !a.Equals(b);

    public Fq2 Square()
    {
        // (c0 + c1 u)^2 = (c0 + c1)(c0 - c1) + 2 c0 c1 u
        Fq t = C0 * C1;
        return new Fq2((C0 + C1) * (C0 - C1), t + t);
    }

    public Fq2 Double() => this + this;

    public Fq2 Invert()
    {
        // 1 / (c0 + c1 u) = (c0 - c1 u) / (c0^2 + c1^2)
        Fq normInverse = (C0.Square() + C1.Square()).Invert();
        return new Fq2(C0 * normInverse, -(C1 * normInverse));
    }

    public bool Equals(Fq2 other) => C0 == other.C0 && C1 == other.C1;

    public override bool Equals(object? obj) => obj is Fq2 other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(C0, C1);

    public override string ToString() => $"({C0}, {C1})";
}
