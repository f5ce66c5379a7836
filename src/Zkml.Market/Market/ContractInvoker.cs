using System.Numerics;
using System.Reflection;
using Zkml.Market.Abi;

namespace Zkml.Market.Market;

/// <summary>Calls and transactions against one deployed contract, with reverts decoded into custom errors.</summary>
internal sealed class ContractInvoker(EthereumRpcClient rpc, ContractAbi abi, EthereumAddress address, TransactionSender? sender)
{
    private static readonly Lazy<ContractAbi> s_market = new(() => Load("ProofMarket"));
    private static readonly Lazy<ContractAbi> s_attestation = new(() => Load("AttestationVerifier"));

    public static ContractAbi ProofMarketAbi => s_market.Value;

    public static ContractAbi AttestationVerifierAbi => s_attestation.Value;

    public EthereumRpcClient Rpc { get; } = rpc;

    public ContractAbi Abi { get; } = abi;

    public EthereumAddress Address { get; } = address;

    public TransactionSender? OptionalSender => sender;

    public TransactionSender Sender =>
        sender ?? throw new InvalidOperationException("This client was created without a TransactionSender: it can only read.");

    public async Task<object?[]> CallAsync(string function, object?[] arguments, CancellationToken cancellationToken)
    {
        var member = Abi.Function(function);
        try
        {
            var output = await Rpc.CallAsync(Address, member.EncodeCall(arguments), sender?.Address, "latest", cancellationToken).ConfigureAwait(false);
            return member.DecodeOutput(output);
        }
        catch (RpcException e) when (AsRevert(e, function) is { } revert)
        {
            throw revert;
        }
    }

    public async Task<TransactionReceipt> SendAsync(string function, BigInteger value, object?[] arguments, CancellationToken cancellationToken, BigInteger? gasLimit = null)
    {
        var data = Abi.Function(function).EncodeCall(arguments);
        try
        {
            return await Sender.SendAsync(new TransactionRequest(Address, data, value, gasLimit), cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (AsRevert(e, function) is { } revert)
        {
            throw revert;
        }
        catch (TransactionFailedException e) when (e.RevertData is { Length: >= 4 } revertData && e.Error is null)
        {
            // Mined and reverted (e.g. another sender won a race after gas estimation): name the custom error.
            var error = DecodeError(revertData);
            var text = error is null ? "an unknown error " + HexConverter.ToHex(revertData.AsSpan(0, 4)) : error.ToString();
            throw new TransactionFailedException(
                $"{function}: transaction {e.TransactionHash} was mined and reverted with {text}.", e.TransactionHash, revertData, error, e);
        }
    }

    public static async Task<EthereumAddress> DeployAsync(TransactionSender sender, ContractAbi abi, IReadOnlyList<AbiType> constructorTypes, object?[] arguments, CancellationToken cancellationToken)
    {
        byte[] initCode = [.. abi.Bytecode, .. AbiType.EncodeParameters(constructorTypes, arguments)];
        try
        {
            var receipt = await sender.SendAsync(new TransactionRequest(null, initCode), cancellationToken).ConfigureAwait(false);
            return receipt.ContractAddress ?? throw new MarketException($"Deploying {abi.Name} gave no contract address.");
        }
        catch (RpcException e) when (AsRevert(e, "constructor of " + abi.Name) is { } revert)
        {
            throw revert;
        }
    }

    /// <summary>Turns a node error that carries revert data into a ContractRevertException (null otherwise).</summary>
    public static ContractRevertException? AsRevert(RpcException e, string function)
    {
        if (e.Data is not { Length: >= 10 } hex)
        {
            return null;
        }

        byte[] data;
        try
        {
            data = HexConverter.FromHex(hex);
        }
        catch (EthereumFormatException)
        {
            return null;
        }

        var error = DecodeError(data);
        var text = error is null ? "an unknown error " + hex[..10] : error.ToString();
        return new ContractRevertException($"{function} reverted with {text}.", data, error, e);
    }

    public static DecodedError? DecodeError(byte[] revertData) =>
        ProofMarketAbi.DecodeError(revertData) ?? AttestationVerifierAbi.DecodeError(revertData);

    private static ContractAbi Load(string name) =>
        ContractAbi.FromResource(typeof(ContractInvoker).Assembly, $"Zkml.Market.Contracts.{name}.json");

    internal static ContractAbi LoadFrom(Assembly assembly, string resource) => ContractAbi.FromResource(assembly, resource);
}
