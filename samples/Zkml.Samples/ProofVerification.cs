namespace Zkml.Samples;

/// <summary>How the market checks a model's proofs before it pays.</summary>
public enum ProofVerification
{
    /// <summary>
    /// The committee's AttestationVerifier: a quorum of verifier nodes verify each proof off chain and sign for it (for
    /// circuits the Solidity verifier generator refuses, or verifiers too large for the chain).
    /// </summary>
    Attestation,

    /// <summary>The model's own Halo2 verifier, generated from its verifying key and deployed: the chain checks the proof itself.</summary>
    Halo2,
}
