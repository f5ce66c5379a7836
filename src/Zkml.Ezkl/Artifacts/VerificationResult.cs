namespace Zkml.Ezkl;

/// <summary>The outcome of verifying a proof: valid, or invalid with the engine's reason.</summary>
public sealed class VerificationResult
{
    private VerificationResult(bool isValid, string? reason)
    {
        IsValid = isValid;
        Reason = reason;
    }

    /// <summary>A valid proof.</summary>
    public static VerificationResult Valid { get; } = new(true, null);

    /// <summary>An invalid proof with the reason.</summary>
    public static VerificationResult Invalid(string reason) => new(false, reason);

    /// <summary>Whether the proof verified.</summary>
    public bool IsValid { get; }

    /// <summary>Why the proof was rejected; null when valid.</summary>
    public string? Reason { get; }

    /// <summary>Throws <see cref="EzklVerificationException"/> when the proof is invalid.</summary>
    public void ThrowIfInvalid()
    {
        if (!IsValid)
        {
            throw new EzklVerificationException(Reason ?? "rejected");
        }
    }

    /// <inheritdoc />
    public override string ToString() => IsValid ? "valid" : "invalid: " + Reason;
}
