namespace Zkml.Ezkl;

/// <summary>The stage of a long SRS operation that a <see cref="SrsProgress"/> report belongs to.</summary>
public enum SrsStage
{
    /// <summary>Computing the G1 powers [tau^i]G1.</summary>
    Powers,

    /// <summary>Computing the G1 Lagrange basis [L_i(tau)]G1.</summary>
    LagrangeBasis,

    /// <summary>Reading and checking points.</summary>
    Validating,

    /// <summary>Downloading a public ceremony file; units are bytes.</summary>
    Downloading,
}

/// <summary>Progress of an SRS operation: <paramref name="Completed"/> of <paramref name="Total"/> units (points, or bytes when downloading) in <paramref name="Stage"/>.</summary>
/// <param name="Stage">The stage being worked on.</param>
/// <param name="Completed">Units done so far in this stage.</param>
/// <param name="Total">Units in this stage (0 when unknown, e.g. a download without a length).</param>
public readonly record struct SrsProgress(SrsStage Stage, long Completed, long Total);
