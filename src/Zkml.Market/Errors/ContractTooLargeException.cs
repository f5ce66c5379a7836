namespace Zkml.Market;

/// <summary>
/// A contract could not be deployed because its runtime code exceeds EIP-170's limit of 24,576 bytes, which every
/// public chain enforces (a dev chain may lift it, e.g. <c>anvil --code-size-limit</c>).
/// </summary>
public sealed class ContractTooLargeException : MarketException
{
    /// <summary>Creates the exception.</summary>
    public ContractTooLargeException(string contractName, int runtimeCodeSize, Exception? innerException = null)
        : base($"{contractName} has {runtimeCodeSize:N0} bytes of runtime code, over EIP-170's limit of {CompiledContract.MaxRuntimeCodeSize:N0}: " +
               "the chain refused it. Use a circuit with fewer columns, or a dev chain with a lifted limit (anvil --code-size-limit).", innerException)
    {
        ContractName = contractName;
        RuntimeCodeSize = runtimeCodeSize;
    }

    /// <summary>The contract's name.</summary>
    public string ContractName { get; }

    /// <summary>Its runtime code size in bytes.</summary>
    public int RuntimeCodeSize { get; }
}
