namespace Zkml.Market;

/// <summary>The root of every error Zkml.Market raises.</summary>
public class MarketException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public MarketException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and the error that caused it.</summary>
    public MarketException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>True when the same call may succeed if retried (a network fault, a busy node).</summary>
    public virtual bool IsTransient => false;
}

/// <summary>Malformed input to an Ethereum primitive: bad hex, a value that does not fit its ABI type, bad RLP.</summary>
public sealed class EthereumFormatException : MarketException
{
    /// <summary>Creates the exception.</summary>
    public EthereumFormatException(string message) : base(message) { }

    /// <summary>Creates the exception with its cause.</summary>
    public EthereumFormatException(string message, Exception? innerException) : base(message, innerException) { }
}

/// <summary>The node answered a JSON-RPC call with an error, or could not be reached.</summary>
public class RpcException : MarketException
{
    private readonly bool _transient;

    /// <summary>Creates the exception.</summary>
    public RpcException(string method, int code, string message, string? data, bool isTransient = false, Exception? innerException = null)
        : base($"{method}: {message} (code {code})", innerException)
    {
        Method = method;
        Code = code;
        Data = data;
        _transient = isTransient;
    }

    /// <summary>The JSON-RPC method that failed.</summary>
    public string Method { get; }

    /// <summary>The JSON-RPC error code (0 when the node was not reached).</summary>
    public int Code { get; }

    /// <summary>The error's <c>data</c> member as hex, when the node sent one (revert data for reverted calls).</summary>
    public new string? Data { get; }

    /// <inheritdoc />
    public override bool IsTransient => _transient;
}

/// <summary>A contract call reverted; carries the decoded custom error when the ABI knows it.</summary>
public sealed class ContractRevertException : MarketException
{
    /// <summary>Creates the exception.</summary>
    public ContractRevertException(string message, byte[] revertData, DecodedError? error, Exception? innerException = null)
        : base(message, innerException)
    {
        RevertData = revertData;
        Error = error;
    }

    /// <summary>The raw revert data (selector and ABI-encoded arguments).</summary>
    public byte[] RevertData { get; }

    /// <summary>The decoded custom error (or Error(string) / Panic(uint256)), or null when unknown.</summary>
    public DecodedError? Error { get; }

    /// <summary>The error's name, e.g. <c>Underpayment</c>, or null when it was not decoded.</summary>
    public string? ErrorName => Error?.Name;
}

/// <summary>A mined transaction failed (status 0), or its receipt did not arrive in time.</summary>
public sealed class TransactionFailedException : MarketException
{
    /// <summary>Creates the exception.</summary>
    public TransactionFailedException(string message, string transactionHash) : base(message)
    {
        TransactionHash = transactionHash;
    }

    /// <summary>Creates the exception for a reverted transaction, with what replaying it told of the revert.</summary>
    public TransactionFailedException(string message, string transactionHash, byte[]? revertData, DecodedError? error, Exception? innerException = null)
        : base(message, innerException)
    {
        TransactionHash = transactionHash;
        RevertData = revertData;
        Error = error;
    }

    /// <summary>The transaction's hash.</summary>
    public string TransactionHash { get; }

    /// <summary>
    /// The revert data (selector and ABI-encoded arguments) got by replaying the transaction as a call at its block;
    /// null when there was no receipt, or the replay did not revert the same way (the state had moved on).
    /// </summary>
    public byte[]? RevertData { get; }

    /// <summary>The decoded custom error (or Error(string) / Panic(uint256)), or null when unknown.</summary>
    public DecodedError? Error { get; }

    /// <summary>The error's name, e.g. <c>NotLocked</c>, or null when it was not decoded.</summary>
    public string? ErrorName => Error?.Name;
}

/// <summary>The node is on another chain than the one the sender is pinned to; nothing was signed.</summary>
public sealed class ChainIdMismatchException : MarketException
{
    /// <summary>Creates the exception.</summary>
    public ChainIdMismatchException(System.Numerics.BigInteger expected, System.Numerics.BigInteger actual)
        : base($"The node reports chain id {actual}, but this sender is pinned to chain id {expected}: refusing to sign.")
    {
        Expected = expected;
        Actual = actual;
    }

    /// <summary>The chain id the sender is pinned to.</summary>
    public System.Numerics.BigInteger Expected { get; }

    /// <summary>The chain id the node reported.</summary>
    public System.Numerics.BigInteger Actual { get; }
}

/// <summary>A committee returned fewer valid member signatures than the verifier's threshold.</summary>
public sealed class InsufficientAttestationsException : MarketException
{
    /// <summary>Creates the exception.</summary>
    public InsufficientAttestationsException(int valid, int threshold)
        : base($"Only {valid} valid member signatures; the committee's threshold is {threshold}.")
    {
        Valid = valid;
        Threshold = threshold;
    }

    /// <summary>Signatures that recovered to distinct current members.</summary>
    public int Valid { get; }

    /// <summary>The threshold the contract requires.</summary>
    public int Threshold { get; }
}
