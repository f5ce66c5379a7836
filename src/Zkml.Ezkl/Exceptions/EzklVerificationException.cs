namespace Zkml.Ezkl;

/// <summary>
/// A proof did not verify. Thrown by <see cref="VerificationResult.ThrowIfInvalid"/> for callers that treat an
/// invalid proof as an error; <see cref="EzklEngine.VerifyAsync"/> itself reports invalid proofs as a result.
/// </summary>
public sealed class EzklVerificationException : EzklException
{
    /// <summary>Creates the exception with the reason the proof was rejected.</summary>
    public EzklVerificationException(string reason)
        : base("proof is invalid: " + reason)
    {
        Reason = reason;
    }

    /// <summary>Why the engine rejected the proof.</summary>
    public string Reason { get; }
}
