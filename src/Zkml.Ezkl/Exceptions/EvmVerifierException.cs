namespace Zkml.Ezkl;

/// <summary>Why the EVM verifier could not be generated.</summary>
public enum EvmVerifierFailure
{
    /// <summary>The pinned verifying key (halo2's constraint-system string) is malformed or truncated.</summary>
    MalformedPinnedKey,

    /// <summary>The circuit uses a feature the Solidity verifier cannot check (see the message).</summary>
    UnsupportedCircuit,

    /// <summary>The SRS, settings or instance count do not fit the verifying key.</summary>
    InvalidInput,
}

/// <summary>
/// The Halo2 Solidity verifier could not be generated: the pinned verifying key is malformed, the circuit uses a
/// feature the verifier does not support (shuffles, several instance columns, rotated instance queries,
/// challenges), or the inputs do not fit together. <see cref="Failure"/> says which.
/// </summary>
public class EvmVerifierException : EzklException
{
    /// <summary>Creates the exception for a failure of the given kind.</summary>
    public EvmVerifierException(EvmVerifierFailure failure, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    /// <summary>Which kind of failure this is.</summary>
    public EvmVerifierFailure Failure { get; }
}
