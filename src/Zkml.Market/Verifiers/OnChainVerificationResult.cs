using System.Numerics;

namespace Zkml.Market;

/// <summary>
/// What a verifier contract answered for one proof. A rejected proof is a result, not an exception: a generated
/// Halo2 verifier rejects by reverting (usually with no data), and some verifiers return false.
/// </summary>
/// <param name="IsValid">True when <c>verifyProof</c> returned true.</param>
/// <param name="Reason">Why the proof was rejected (the revert, decoded when possible), or null when it is valid.</param>
/// <param name="RevertData">The revert data (often empty for a Halo2 verifier), or null when the call did not revert.</param>
/// <param name="GasUsed">Gas the call needs (from <c>eth_estimateGas</c>), when it was measured and the proof is valid.</param>
public sealed record OnChainVerificationResult(bool IsValid, string? Reason, byte[]? RevertData, BigInteger? GasUsed)
{
    /// <summary>A proof the verifier accepted.</summary>
    public static OnChainVerificationResult Valid(BigInteger? gasUsed) => new(true, null, null, gasUsed);

    /// <summary>A proof the verifier rejected.</summary>
    public static OnChainVerificationResult Rejected(string reason, byte[]? revertData) => new(false, reason, revertData, null);
}
