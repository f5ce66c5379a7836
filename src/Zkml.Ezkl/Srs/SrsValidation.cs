namespace Zkml.Ezkl;

/// <summary>How thoroughly <see cref="KzgSrs.ValidateAsync(Srs, SrsValidation, IProgress{SrsProgress}?, CancellationToken)"/> checks an SRS.</summary>
public enum SrsValidation
{
    /// <summary>
    /// Streaming checks, linear in the size: the header and length, every coordinate below the field
    /// modulus, every point on its curve, g[0] and the first G2 point equal to the generators, [tau]G2 in
    /// the prime-order subgroup, and the Lagrange points summing to g[0] (which catches a tampered
    /// Lagrange point). A consistent file made with a wrong root of unity passes these checks.
    /// </summary>
    Structure,

    /// <summary>
    /// <see cref="Structure"/>, plus recomputing the whole Lagrange basis from the powers (an inverse FFT
    /// over G1) and comparing it point by point: catches a wrong root of unity. Costs about
    /// (n/2)·log2(n) G1 scalar multiplications and n points of memory.
    /// </summary>
    Full,
}
