using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Zkml.Market;

/// <summary>
/// A deployed proof verifier with ezkl's interface, <c>verifyProof(bytes proof, uint256[] instances) returns (bool)</c>:
/// a generated Halo2Verifier (or any <c>IProofVerifier</c>). Deploys one from compiled code, asks it about proofs with
/// <c>eth_call</c> (nothing is sent, nothing is spent) and reads its runtime code back.
/// </summary>
public sealed partial class ProofVerifierContract
{
    /// <summary><c>bytes4(keccak256("verifyProof(bytes,uint256[])"))</c> = 0x1e8e1e13, the selector of ezkl's calldata.</summary>
    public static ReadOnlyMemory<byte> VerifyProofSelector { get; } = Keccak256.Hash("verifyProof(bytes,uint256[])")[..4];

    private readonly ILogger _logger;

    /// <summary>A verifier already deployed at <paramref name="address"/>.</summary>
    /// <param name="rpc">The node to call.</param>
    /// <param name="address">The verifier's address.</param>
    /// <param name="logger">Logs verifications.</param>
    public ProofVerifierContract(EthereumRpcClient rpc, EthereumAddress address, ILogger<ProofVerifierContract>? logger = null)
    {
        Rpc = rpc ?? throw new ArgumentNullException(nameof(rpc));
        Address = address;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The node this client calls.</summary>
    public EthereumRpcClient Rpc { get; }

    /// <summary>The verifier's address.</summary>
    public EthereumAddress Address { get; }

    /// <summary>The receipt of the deployment, when this client deployed the contract.</summary>
    public TransactionReceipt? Deployment { get; private init; }

    /// <summary>
    /// Deploys a compiled verifier (with no constructor arguments) from <paramref name="sender"/>'s account.
    /// </summary>
    /// <exception cref="ContractTooLargeException">The runtime code exceeds EIP-170's 24,576 bytes and the chain refused it.</exception>
    /// <exception cref="MarketException">The node refused the deployment, or it gave no contract.</exception>
    public static async Task<ProofVerifierContract> DeployAsync(
        TransactionSender sender, CompiledContract contract, ILogger<ProofVerifierContract>? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(contract);
        TransactionReceipt receipt;
        try
        {
            receipt = await sender.SendAsync(new TransactionRequest(null, contract.CreationBytecode), cancellationToken).ConfigureAwait(false);
        }
        catch (MarketException e) when (!contract.FitsCodeSizeLimit && e is RpcException or TransactionFailedException)
        {
            throw new ContractTooLargeException(contract.Name, contract.RuntimeCodeSize, e);
        }

        var address = receipt.ContractAddress
            ?? throw new MarketException($"Deploying {contract.Name} (transaction {receipt.TransactionHash}) gave no contract address.");
        var verifier = new ProofVerifierContract(sender.Rpc, address, logger) { Deployment = receipt };
        Log.Deployed(verifier._logger, contract.Name, address.ToString(), contract.RuntimeCodeSize, (long)receipt.GasUsed);
        return verifier;
    }

    /// <summary>ABI-encodes a call of <c>verifyProof(proof, instances)</c>, byte for byte what ezkl's <c>encode-evm-calldata</c> writes.</summary>
    /// <exception cref="EthereumFormatException">An instance is negative or does not fit 256 bits.</exception>
    public static byte[] EncodeVerifyProofCall(ReadOnlySpan<byte> proof, IReadOnlyList<BigInteger> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);

        // selector | offset of proof | offset of instances | proof length | proof, zero-padded to words | count | instances
        var proofWords = (proof.Length + 31) / 32;
        var instancesOffset = 64 + 32 + (32 * proofWords);
        var call = new byte[4 + instancesOffset + 32 + (32 * instances.Count)];
        VerifyProofSelector.Span.CopyTo(call);
        var body = call.AsSpan(4);
        WriteWord(body[..32], 64);
        WriteWord(body[32..64], instancesOffset);
        WriteWord(body[64..96], proof.Length);
        proof.CopyTo(body[96..]);
        WriteWord(body.Slice(instancesOffset, 32), instances.Count);
        for (var i = 0; i < instances.Count; i++)
        {
            WriteWord(body.Slice(instancesOffset + 32 + (32 * i), 32), instances[i]);
        }

        return call;
    }

    private static void WriteWord(Span<byte> word, BigInteger value)
    {
        if (value.Sign < 0 || value.GetByteCount(isUnsigned: true) > 32)
        {
            throw new EthereumFormatException($"{value} is not a uint256.");
        }

        var length = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(word[(32 - length)..], out _, isUnsigned: true, isBigEndian: true);
    }

    /// <summary>Asks the verifier about a proof and its public instances (an <c>eth_call</c>).</summary>
    /// <param name="proof">The proof bytes (ezkl's EVM transcript).</param>
    /// <param name="instances">The public instances as field elements, in the proof's order.</param>
    /// <param name="estimateGas">Also measure the gas the call needs (one more node call) when the proof is valid.</param>
    /// <param name="cancellationToken">Cancels the calls.</param>
    /// <returns>Valid, or rejected with the reason: a revert or <c>false</c> is a result, not an exception.</returns>
    /// <exception cref="RpcException">The node failed for another reason than the verifier reverting.</exception>
    public Task<OnChainVerificationResult> VerifyProofAsync(
        ReadOnlyMemory<byte> proof, IReadOnlyList<BigInteger> instances, bool estimateGas = false, CancellationToken cancellationToken = default) =>
        VerifyCalldataAsync(EncodeVerifyProofCall(proof.Span, instances), estimateGas, cancellationToken);

    /// <summary>
    /// Asks the verifier with ready calldata, such as ezkl's <c>encode-evm-calldata</c> output (an <c>eth_call</c>).
    /// </summary>
    /// <inheritdoc cref="VerifyProofAsync" path="/param[@name='estimateGas']"/>
    /// <exception cref="RpcException">The node failed for another reason than the verifier reverting.</exception>
    public async Task<OnChainVerificationResult> VerifyCalldataAsync(ReadOnlyMemory<byte> calldata, bool estimateGas = false, CancellationToken cancellationToken = default)
    {
        var data = calldata.ToArray();
        byte[] output;
        try
        {
            output = await Rpc.CallAsync(Address, data, null, "latest", cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e) when (IsRevert(e))
        {
            var revertData = RevertData(e);
            var reason = revertData is { Length: > 0 } ? "the verifier reverted with data " + HexConverter.ToHex(revertData) : "the verifier reverted";
            Log.Rejected(_logger, Address.ToString(), reason);
            return OnChainVerificationResult.Rejected(reason, revertData ?? []);
        }

        if (output.Length == 0)
        {
            // A call to an address without code "succeeds" with no output: that is a missing verifier, not a verdict.
            throw new MarketException($"{Address} returned nothing for verifyProof: is a verifier deployed there?");
        }

        if (output.Length < 32 || output.AsSpan(0, 31).IndexOfAnyExcept((byte)0) >= 0 || output[31] > 1)
        {
            return OnChainVerificationResult.Rejected("the verifier returned " + HexConverter.ToHex(output) + ", not a bool", null);
        }

        if (output[31] == 0)
        {
            Log.Rejected(_logger, Address.ToString(), "returned false");
            return OnChainVerificationResult.Rejected("the verifier returned false", null);
        }

        BigInteger? gas = null;
        if (estimateGas)
        {
            gas = await Rpc.EstimateGasAsync(EthereumAddress.Zero, new TransactionRequest(Address, data), cancellationToken).ConfigureAwait(false);
        }

        Log.Accepted(_logger, Address.ToString(), (long)(gas ?? -1));
        return OnChainVerificationResult.Valid(gas);
    }

    /// <summary>The runtime code deployed at <see cref="Address"/> (<c>eth_getCode</c>); empty when there is no contract.</summary>
    public Task<byte[]> GetRuntimeCodeAsync(CancellationToken cancellationToken = default) =>
        Rpc.GetCodeAsync(Address, cancellationToken);

    /// <summary>
    /// Whether the runtime code at <see cref="Address"/> is byte for byte <paramref name="contract"/>'s, e.g. a verifier
    /// regenerated and compiled from a model's verifying key.
    /// </summary>
    public async Task<bool> HasRuntimeCodeOfAsync(CompiledContract contract, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contract);
        var deployed = await GetRuntimeCodeAsync(cancellationToken).ConfigureAwait(false);
        return deployed.AsSpan().SequenceEqual(contract.DeployedBytecode);
    }

    // Nodes report a revert as JSON-RPC error 3 (geth, anvil: "execution reverted") or -32000/-32015 with "revert" in
    // the message; anything else (unreachable node, bad request, out of gas for the node's call cap) is a failure.
    private static bool IsRevert(RpcException e) =>
        e.Code == 3 || e.Message.Contains("revert", StringComparison.OrdinalIgnoreCase);

    private static byte[]? RevertData(RpcException e)
    {
        if (e.Data is not { Length: >= 2 } hex)
        {
            return null;
        }

        try
        {
            return HexConverter.FromHex(hex);
        }
        catch (EthereumFormatException)
        {
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2110, Level = LogLevel.Information, Message = "Deployed verifier {Contract} at {Address}: {RuntimeBytes} bytes of runtime code, {Gas} gas")]
        public static partial void Deployed(ILogger logger, string contract, string address, int runtimeBytes, long gas);

        [LoggerMessage(EventId = 2111, Level = LogLevel.Debug, Message = "Verifier {Address} accepted the proof (gas {Gas})")]
        public static partial void Accepted(ILogger logger, string address, long gas);

        [LoggerMessage(EventId = 2112, Level = LogLevel.Information, Message = "Verifier {Address} rejected the proof: {Reason}")]
        public static partial void Rejected(ILogger logger, string address, string reason);
    }
}
