using System.Numerics;
using Zkml.Market.Abi;
using Zkml.Market.Market;

namespace Zkml.Market;

/// <summary>
/// A typed client of a deployed ProofMarket contract: every contract function, the reads, and decoding of its
/// events. Reverts come back as <see cref="ContractRevertException"/> with the decoded custom error, raised while
/// estimating gas, so a rejected call spends nothing.
/// </summary>
public sealed class ProofMarketClient
{
    private readonly ContractInvoker _contract;

    /// <summary>Creates a client for the market at <paramref name="address"/>.</summary>
    /// <param name="rpc">The node.</param>
    /// <param name="address">The ProofMarket contract.</param>
    /// <param name="sender">The account that sends transactions; null for a read-only client.</param>
    public ProofMarketClient(EthereumRpcClient rpc, EthereumAddress address, TransactionSender? sender = null)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        _contract = new ContractInvoker(rpc, ContractInvoker.ProofMarketAbi, address, sender);
    }

    /// <summary>The market contract's address.</summary>
    public EthereumAddress Address => _contract.Address;

    /// <summary>The node.</summary>
    public EthereumRpcClient Rpc => _contract.Rpc;

    /// <summary>The sending account, or null for a read-only client.</summary>
    public EthereumAddress? Account => _contract.OptionalSender?.Address;

    /// <summary>Deploys a ProofMarket.</summary>
    /// <param name="sender">The deploying account (it has no special rights afterwards).</param>
    /// <param name="requesterSlashBasisPoints">Share of a slashed collateral credited to the requester (0..10000).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public static async Task<ProofMarketClient> DeployAsync(TransactionSender sender, int requesterSlashBasisPoints = 5000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        var address = await ContractInvoker.DeployAsync(
            sender, ContractInvoker.ProofMarketAbi, [AbiType.Parse("uint16")], [requesterSlashBasisPoints], cancellationToken).ConfigureAwait(false);
        return new ProofMarketClient(sender.Rpc, address, sender);
    }

    /// <summary>A copy of this client that sends from another account.</summary>
    public ProofMarketClient WithSender(TransactionSender sender) => new(Rpc, Address, sender);

    /// <summary>The hash a provider registers for a verifying key: keccak256 of its bytes.</summary>
    public static byte[] ComputeVerifyingKeyHash(ReadOnlySpan<byte> verifyingKey) => Keccak256.Hash(verifyingKey);

    /// <summary>
    /// The id of the model a provider registers for a verifying key: keccak256(abi.encode(provider, keccak256(vk))). The
    /// id commits to the provider, so nobody else can register under it: compute it from the provider you trust.
    /// </summary>
    public static byte[] ComputeModelId(EthereumAddress provider, ReadOnlySpan<byte> verifyingKey) =>
        ModelIdOf(provider, ComputeVerifyingKeyHash(verifyingKey));

    /// <summary>The model id of a provider and a verifying-key hash (the contract's <c>modelIdOf</c>).</summary>
    /// <exception cref="EthereumFormatException">The hash is not 32 bytes.</exception>
    public static byte[] ModelIdOf(EthereumAddress provider, byte[] verifyingKeyHash) =>
        Keccak256.Hash(AbiType.EncodeParameters([AbiType.Parse("address"), AbiType.Parse("bytes32")], [provider, verifyingKeyHash]));

    /// <summary>
    /// keccak256 of public instances as 32-byte big-endian words concatenated: the input commitment of a request (over
    /// the input instances) and the output commitment the market emits (over the rest).
    /// </summary>
    /// <exception cref="EthereumFormatException">An instance is negative or wider than 256 bits.</exception>
    public static byte[] ComputeInstancesHash(IEnumerable<BigInteger> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var uint256 = AbiType.Parse("uint256");
        return Keccak256.Hash(Bytes.Concat(instances.Select(i => uint256.Encode(i))));
    }

    /// <summary>Registers a model; the sender becomes its provider. Returns the model id (which commits to the sender).</summary>
    public async Task<ModelRegistrationSubmission> RegisterModelAsync(ModelRegistration model, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        var receipt = await _contract.SendAsync("registerModel", BigInteger.Zero,
            [model.VerifyingKeyHash, model.Verifier, model.Price, model.LockCollateral, (BigInteger)(long)model.LockDuration.TotalSeconds,
             (BigInteger)model.InputInstanceCount, model.ArtifactUri], cancellationToken).ConfigureAwait(false);
        return new ModelRegistrationSubmission(DecodeEvents(receipt).OfType<ModelRegisteredEvent>().Single().Model.ModelId, receipt);
    }

    /// <summary>The model id the contract computes for a provider and a verifying-key hash (<c>modelIdOf</c>).</summary>
    public async Task<byte[]> GetModelIdAsync(EthereumAddress provider, byte[] verifyingKeyHash, CancellationToken cancellationToken = default) =>
        AbiValue.Bytes((await _contract.CallAsync("modelIdOf", [provider, verifyingKeyHash], cancellationToken).ConfigureAwait(false))[0]);

    /// <summary>Requests a proof, paying <paramref name="payment"/> wei into escrow; returns the new request's id and the receipt.</summary>
    public async Task<ProofRequestSubmission> RequestProofAsync(
        byte[] modelId, byte[] inputCommitment, string inputUri, DateTimeOffset deadline, BigInteger payment, CancellationToken cancellationToken = default)
    {
        var receipt = await _contract.SendAsync("requestProof", payment,
            [modelId, inputCommitment, inputUri, (BigInteger)deadline.ToUnixTimeSeconds()], cancellationToken).ConfigureAwait(false);
        return new ProofRequestSubmission(DecodeEvents(receipt).OfType<ProofRequestedEvent>().Single().RequestId, receipt);
    }

    /// <summary>
    /// Locks a request (open, or locked with an expired lock, which slashes the absent locker), depositing exactly
    /// <paramref name="collateral"/> wei (see <see cref="GetRequiredCollateralAsync"/>).
    /// </summary>
    public Task<TransactionReceipt> LockAsync(BigInteger requestId, BigInteger collateral, CancellationToken cancellationToken = default) =>
        _contract.SendAsync("lock", collateral, [requestId], cancellationToken);

    /// <summary>Locks a request, depositing the collateral the contract requires for it.</summary>
    public async Task<TransactionReceipt> LockAsync(BigInteger requestId, CancellationToken cancellationToken = default)
    {
        var collateral = await GetRequiredCollateralAsync(requestId, cancellationToken).ConfigureAwait(false);
        return await LockAsync(requestId, collateral, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The collateral a lock of the request takes: the model's, or half the payment when that is more.</summary>
    public async Task<BigInteger> GetRequiredCollateralAsync(BigInteger requestId, CancellationToken cancellationToken = default) =>
        AbiValue.Integer((await _contract.CallAsync("requiredCollateral", [requestId], cancellationToken).ConfigureAwait(false))[0]);

    /// <summary>Fulfils a request the sender has locked, with a proof and its public instances (inputs first).</summary>
    public Task<TransactionReceipt> FulfilAsync(
        BigInteger requestId, byte[] proof, IReadOnlyList<BigInteger> instances, string proofUri, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instances);
        return _contract.SendAsync("fulfil", BigInteger.Zero, [requestId, proof, instances.Cast<object?>().ToArray(), proofUri], cancellationToken);
    }

    /// <summary>Refunds an unfulfilled request after its deadline (anyone may call; the requester is credited).</summary>
    public Task<TransactionReceipt> RefundAsync(BigInteger requestId, CancellationToken cancellationToken = default) =>
        _contract.SendAsync("refund", BigInteger.Zero, [requestId], cancellationToken);

    /// <summary>Withdraws everything credited to the sender.</summary>
    public Task<TransactionReceipt> WithdrawAsync(CancellationToken cancellationToken = default) =>
        _contract.SendAsync("withdraw", BigInteger.Zero, [], cancellationToken);

    /// <summary>Wei credited to <paramref name="account"/> and not yet withdrawn.</summary>
    public async Task<BigInteger> GetCreditAsync(EthereumAddress account, CancellationToken cancellationToken = default) =>
        AbiValue.Integer((await _contract.CallAsync("balanceOf", [account], cancellationToken).ConfigureAwait(false))[0]);

    /// <summary>Slashed collateral burned so far.</summary>
    public async Task<BigInteger> GetBurnedCollateralAsync(CancellationToken cancellationToken = default) =>
        AbiValue.Integer((await _contract.CallAsync("burnedCollateral", [], cancellationToken).ConfigureAwait(false))[0]);

    /// <summary>The id the next request will get.</summary>
    public async Task<BigInteger> GetNextRequestIdAsync(CancellationToken cancellationToken = default) =>
        AbiValue.Integer((await _contract.CallAsync("nextRequestId", [], cancellationToken).ConfigureAwait(false))[0]);

    /// <summary>A model (check <see cref="ModelInfo.IsRegistered"/>).</summary>
    public async Task<ModelInfo> GetModelAsync(byte[] modelId, CancellationToken cancellationToken = default)
    {
        var m = AbiValue.List((await _contract.CallAsync("getModel", [modelId], cancellationToken).ConfigureAwait(false))[0]);
        return new ModelInfo(modelId, AbiValue.Address(m[0]), AbiValue.Address(m[2]), AbiValue.Integer(m[1]), AbiValue.Integer(m[5]),
            Seconds(m[3]), Int(m[4]), AbiValue.String(m[7]), AbiValue.Bytes(m[6]));
    }

    /// <summary>A request's current state (status None when unknown).</summary>
    public async Task<ProofRequestState> GetRequestAsync(BigInteger requestId, CancellationToken cancellationToken = default)
    {
        var r = AbiValue.List((await _contract.CallAsync("getRequest", [requestId], cancellationToken).ConfigureAwait(false))[0]);
        return new ProofRequestState(requestId, AbiValue.Bytes(r[0]), AbiValue.Address(r[1]), AbiValue.Integer(r[2]),
            AbiValue.Address(r[3]), AbiValue.Integer(r[4]), AbiValue.Bytes(r[5]), Time(r[6]), Time(r[7]),
            (ProofRequestStatus)(int)AbiValue.Integer(r[8]));
    }

    /// <summary>The market events in a receipt, decoded.</summary>
    public IReadOnlyList<MarketEvent> DecodeEvents(TransactionReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return receipt.Logs.Where(l => l.Address == Address).Select(DecodeEvent).OfType<MarketEvent>().ToArray();
    }

    /// <summary>Decodes one log of this market; null when it is not a market event.</summary>
    /// <exception cref="EthereumFormatException">The log has a market event's signature but does not decode, or a value is
    /// out of the range of its .NET type (a time beyond year 9999, a count beyond int): the indexer logs and skips it.</exception>
    public static MarketEvent? DecodeEvent(LogEntry log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var abi = ContractInvoker.ProofMarketAbi;
        if (log.Topics.Count == 0 || abi.EventByTopic(log.Topics[0]) is not { } evt)
        {
            return null;
        }

        try
        {
            return Decode(evt.Name, abi.DecodeLog(evt, log.Topics, log.Data), log);
        }
        catch (Exception e) when (e is MarketException or ArgumentException or InvalidCastException
                                      or OverflowException or IndexOutOfRangeException or KeyNotFoundException or FormatException)
        {
            throw new EthereumFormatException(
                $"The {evt.Name} log {log.TransactionHash} (block {log.BlockNumber}, index {log.LogIndex}) does not decode: {e.Message}", e);
        }
    }

    private static MarketEvent? Decode(string name, IReadOnlyDictionary<string, object?> a, LogEntry log)
    {
        var at = new EventCursor(log.BlockNumber, log.LogIndex, log.BlockHash);
        var tx = log.TransactionHash;
        return name switch
        {
            "ModelRegistered" => new ModelRegisteredEvent(at, tx, new ModelInfo(
                AbiValue.Bytes(a["modelId"]), AbiValue.Address(a["provider"]), AbiValue.Address(a["verifier"]),
                AbiValue.Integer(a["price"]), AbiValue.Integer(a["lockCollateral"]), Seconds(a["lockDuration"]),
                Int(a["inputInstanceCount"]), AbiValue.String(a["artifactUri"]), AbiValue.Bytes(a["vkHash"]))),
            "ProofRequested" => new ProofRequestedEvent(at, tx, AbiValue.Integer(a["requestId"]), AbiValue.Bytes(a["modelId"]),
                AbiValue.Address(a["requester"]), AbiValue.Integer(a["payment"]), AbiValue.Bytes(a["inputCommitment"]),
                AbiValue.String(a["inputUri"]), Time(a["deadline"])),
            "RequestLocked" => new RequestLockedEvent(at, tx, AbiValue.Integer(a["requestId"]), AbiValue.Address(a["prover"]),
                AbiValue.Integer(a["collateral"]), Time(a["lockDeadline"])),
            "RequestFulfilled" => new RequestFulfilledEvent(at, tx, AbiValue.Integer(a["requestId"]), AbiValue.Address(a["prover"]),
                AbiValue.Bytes(a["outputCommitment"]), AbiValue.Bytes(a["proofHash"]), AbiValue.String(a["proofUri"])),
            "RequestRefunded" => new RequestRefundedEvent(at, tx, AbiValue.Integer(a["requestId"]), AbiValue.Address(a["requester"]),
                AbiValue.Integer(a["amount"])),
            "CollateralSlashed" => new CollateralSlashedEvent(at, tx, AbiValue.Integer(a["requestId"]), AbiValue.Address(a["prover"]),
                AbiValue.Integer(a["toRequester"]), AbiValue.Integer(a["burned"])),
            "Credited" => new CreditedEvent(at, tx, AbiValue.Address(a["account"]), AbiValue.Integer(a["requestId"]),
                AbiValue.Integer(a["amount"]), Reason(a["reason"])),
            "Withdrawal" => new WithdrawalEvent(at, tx, AbiValue.Address(a["account"]), AbiValue.Integer(a["amount"])),
            _ => null,
        };
    }

    /// <summary>Topic 0 of every market event (for log filters).</summary>
    internal static IReadOnlyList<byte[]> EventTopics => ContractInvoker.ProofMarketAbi.Events.Select(e => e.Topic).ToArray();

    private static readonly BigInteger s_maxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    /// <summary>A Unix time; out of DateTimeOffset's range is a format error (the contract bounds deadlines).</summary>
    private static DateTimeOffset Time(object? value)
    {
        var seconds = AbiValue.Integer(value);
        return seconds >= 0 && seconds <= s_maxUnixSeconds
            ? DateTimeOffset.FromUnixTimeSeconds((long)seconds)
            : throw new EthereumFormatException($"{seconds} is not a Unix time DateTimeOffset can hold.");
    }

    private static TimeSpan Seconds(object? value)
    {
        var seconds = AbiValue.Integer(value);
        return seconds >= 0 && seconds <= (BigInteger)TimeSpan.MaxValue.TotalSeconds - 1
            ? TimeSpan.FromSeconds((long)seconds)
            : throw new EthereumFormatException($"{seconds} seconds do not fit a TimeSpan.");
    }

    private static int Int(object? value)
    {
        var number = AbiValue.Integer(value);
        return number >= 0 && number <= int.MaxValue ? (int)number : throw new EthereumFormatException($"{number} does not fit an int.");
    }

    private static CreditReason Reason(object? value)
    {
        var number = AbiValue.Integer(value);
        return number >= 0 && number <= (int)CreditReason.SlashShare ? (CreditReason)(int)number : throw new EthereumFormatException($"{number} is not a credit reason.");
    }
}
