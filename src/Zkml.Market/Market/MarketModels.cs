using System.Globalization;
using System.Numerics;

namespace Zkml.Market;

/// <summary>The life-cycle state of a proof request.</summary>
public enum ProofRequestStatus
{
    /// <summary>No such request.</summary>
    None = 0,

    /// <summary>Paid and waiting for a prover.</summary>
    Open = 1,

    /// <summary>Locked by a prover with collateral.</summary>
    Locked = 2,

    /// <summary>Fulfilled with a verified proof; the prover was paid.</summary>
    Fulfilled = 3,

    /// <summary>Refunded to the requester after the deadline.</summary>
    Refunded = 4,
}

/// <summary>What a provider registers for a model (its id will be <see cref="ProofMarketClient.ModelIdOf"/>(provider, hash)).</summary>
/// <param name="VerifyingKeyHash">keccak256 of the verifying key (see <see cref="ProofMarketClient.ComputeVerifyingKeyHash"/>).</param>
/// <param name="Verifier">The model's IProofVerifier contract (a Halo2Verifier or an AttestationVerifier).</param>
/// <param name="Price">The minimum payment for one proof, in wei.</param>
/// <param name="LockCollateral">The collateral a prover deposits to lock a request, in wei.</param>
/// <param name="LockDuration">How long a lock is exclusive.</param>
/// <param name="InputInstanceCount">How many leading public instances are the inputs.</param>
/// <param name="ArtifactUri">Where the model's artifacts are stored.</param>
public sealed record ModelRegistration(
    byte[] VerifyingKeyHash,
    EthereumAddress Verifier,
    BigInteger Price,
    BigInteger LockCollateral,
    TimeSpan LockDuration,
    int InputInstanceCount,
    string ArtifactUri);

/// <summary>A registered model as the contract stores it.</summary>
/// <param name="ModelId">The model id.</param>
/// <param name="Provider">The account that registered it (the zero address when unknown).</param>
/// <param name="Verifier">Its verifier contract.</param>
/// <param name="Price">Minimum payment, in wei.</param>
/// <param name="LockCollateral">Collateral to lock, in wei.</param>
/// <param name="LockDuration">Exclusive lock time.</param>
/// <param name="InputInstanceCount">Leading public instances that are inputs.</param>
/// <param name="ArtifactUri">Where the artifacts are stored.</param>
/// <param name="VerifyingKeyHash">keccak256 of the verifying key the provider registered.</param>
public sealed record ModelInfo(
    byte[] ModelId,
    EthereumAddress Provider,
    EthereumAddress Verifier,
    BigInteger Price,
    BigInteger LockCollateral,
    TimeSpan LockDuration,
    int InputInstanceCount,
    string ArtifactUri,
    byte[] VerifyingKeyHash)
{
    /// <summary>Whether the model is registered.</summary>
    public bool IsRegistered => !Provider.IsZero;
}

/// <summary>The outcome of <see cref="ProofMarketClient.RegisterModelAsync"/>.</summary>
/// <param name="ModelId">The new model's id (it commits to the registering provider).</param>
/// <param name="Receipt">The transaction receipt.</param>
public sealed record ModelRegistrationSubmission(byte[] ModelId, TransactionReceipt Receipt);

/// <summary>The outcome of <see cref="ProofMarketClient.RequestProofAsync"/>.</summary>
/// <param name="RequestId">The new request's id.</param>
/// <param name="Receipt">The transaction receipt.</param>
public sealed record ProofRequestSubmission(BigInteger RequestId, TransactionReceipt Receipt);

/// <summary>A request still waiting for a proof, as <see cref="RequestIndexer.GetPendingRequestsAsync"/> lists it.</summary>
/// <param name="Requested">The event that created it (input URI and commitment).</param>
/// <param name="State">Its current state.</param>
public sealed record PendingRequest(ProofRequestedEvent Requested, ProofRequestState State);

/// <summary>A proof request's current state.</summary>
/// <param name="RequestId">The request id.</param>
/// <param name="ModelId">The model to prove.</param>
/// <param name="Requester">Who paid.</param>
/// <param name="Payment">The escrowed payment, in wei.</param>
/// <param name="Prover">The locker (while locked) or the fulfiller (once fulfilled); zero otherwise.</param>
/// <param name="Collateral">The locker's collateral, in wei.</param>
/// <param name="InputCommitment">keccak256 of the input public instances.</param>
/// <param name="Deadline">After this time the request can no longer be fulfilled and may be refunded.</param>
/// <param name="LockDeadline">Until this time only the locker may fulfil.</param>
/// <param name="Status">The life-cycle state.</param>
public sealed record ProofRequestState(
    BigInteger RequestId,
    byte[] ModelId,
    EthereumAddress Requester,
    BigInteger Payment,
    EthereumAddress Prover,
    BigInteger Collateral,
    byte[] InputCommitment,
    DateTimeOffset Deadline,
    DateTimeOffset LockDeadline,
    ProofRequestStatus Status);

/// <summary>
/// The position of an event in the chain: its block, log index and (when known) block hash. Cursors order events
/// totally by block and log index; the hash lets an indexer notice that a reorganisation replaced the cursor's block.
/// </summary>
/// <param name="BlockNumber">The block number.</param>
/// <param name="LogIndex">The log's index in the block.</param>
/// <param name="BlockHash">The block's hash (0x hex), or null when unknown.</param>
public readonly record struct EventCursor(long BlockNumber, int LogIndex, string? BlockHash = null) : IComparable<EventCursor>
{
    /// <summary>A cursor before every event.</summary>
    public static EventCursor Beginning { get; } = new(0, -1);

    /// <inheritdoc />
    public int CompareTo(EventCursor other) =>
        BlockNumber != other.BlockNumber ? BlockNumber.CompareTo(other.BlockNumber) : LogIndex.CompareTo(other.LogIndex);

    /// <summary>"block:logIndex" or "block:logIndex:blockHash", the form <see cref="Parse"/> reads back (for storing a cursor).</summary>
    public override string ToString() =>
        BlockNumber.ToString(CultureInfo.InvariantCulture) + ":" + LogIndex.ToString(CultureInfo.InvariantCulture)
        + (BlockHash is null ? "" : ":" + BlockHash);

    /// <summary>Parses the "block:logIndex[:blockHash]" form.</summary>
    /// <exception cref="EthereumFormatException">Malformed text.</exception>
    public static EventCursor Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        return parts.Length is 2 or 3
               && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var block)
               && int.TryParse(parts[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index)
               && index >= -1
               && (parts.Length == 2 || IsHash(parts[2]))
            ? new EventCursor(block, index, parts.Length == 3 ? parts[2].ToLowerInvariant() : null)
            : throw new EthereumFormatException($"An event cursor is 'block:logIndex[:blockHash]', not '{text}'.");
    }

    private static bool IsHash(string text) =>
        text.Length == 66 && text.StartsWith("0x", StringComparison.Ordinal) && text.AsSpan(2).IndexOfAnyExcept("0123456789abcdefABCDEF") < 0;

    /// <summary>Equality by position only (block and log index), as the ordering.</summary>
    public bool Equals(EventCursor other) => BlockNumber == other.BlockNumber && LogIndex == other.LogIndex;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(BlockNumber, LogIndex);

    /// <summary>Ordering.</summary>
    public static bool operator <(EventCursor left, EventCursor right) => left.CompareTo(right) < 0;

    /// <summary>Ordering.</summary>
    public static bool operator >(EventCursor left, EventCursor right) => left.CompareTo(right) > 0;

    /// <summary>Ordering.</summary>
    public static bool operator <=(EventCursor left, EventCursor right) => left.CompareTo(right) <= 0;

    /// <summary>Ordering.</summary>
    public static bool operator >=(EventCursor left, EventCursor right) => left.CompareTo(right) >= 0;
}

/// <summary>An event of the ProofMarket contract.</summary>
/// <param name="Cursor">Where it is in the chain (resume after it with this cursor).</param>
/// <param name="TransactionHash">The transaction that emitted it.</param>
public abstract record MarketEvent(EventCursor Cursor, string TransactionHash);

/// <summary>ModelRegistered.</summary>
/// <param name="Cursor">Position.</param>
/// <param name="TransactionHash">Transaction.</param>
/// <param name="Model">The registered model.</param>
public sealed record ModelRegisteredEvent(EventCursor Cursor, string TransactionHash, ModelInfo Model) : MarketEvent(Cursor, TransactionHash);

/// <summary>ProofRequested: a payment is held in escrow.</summary>
/// <param name="Cursor">Position.</param>
/// <param name="TransactionHash">Transaction.</param>
/// <param name="RequestId">The new request.</param>
/// <param name="ModelId">The model.</param>
/// <param name="Requester">Who paid.</param>
/// <param name="Payment">Wei paid.</param>
/// <param name="InputCommitment">keccak256 of the input instances.</param>
/// <param name="InputUri">Where the input is stored.</param>
/// <param name="Deadline">The deadline.</param>
public sealed record ProofRequestedEvent(
    EventCursor Cursor, string TransactionHash, BigInteger RequestId, byte[] ModelId, EthereumAddress Requester,
    BigInteger Payment, byte[] InputCommitment, string InputUri, DateTimeOffset Deadline) : MarketEvent(Cursor, TransactionHash);

/// <summary>RequestLocked: a prover deposited collateral.</summary>
/// <param name="Cursor">Position.</param>
/// <param name="TransactionHash">Transaction.</param>
/// <param name="RequestId">The request.</param>
/// <param name="Prover">The locker.</param>
/// <param name="Collateral">Wei deposited.</param>
/// <param name="LockDeadline">End of the exclusive lock.</param>
public sealed record RequestLockedEvent(
    EventCursor Cursor, string TransactionHash, BigInteger RequestId, EthereumAddress Prover, BigInteger Collateral,
    DateTimeOffset LockDeadline) : MarketEvent(Cursor, TransactionHash);

/// <summary>RequestFulfilled: a verified proof was delivered and the prover credited.</summary>
/// <param name="Cursor">Position.</param>
/// <param name="TransactionHash">Transaction.</param>
/// <param name="RequestId">The request.</param>
/// <param name="Prover">The fulfiller.</param>
/// <param name="OutputCommitment">keccak256 of the output instances (those after the inputs).</param>
/// <param name="ProofHash">keccak256 of the proof bytes given to fulfil.</param>
/// <param name="ProofUri">Where the proof is stored.</param>
public sealed record RequestFulfilledEvent(
    EventCursor Cursor, string TransactionHash, BigInteger RequestId, EthereumAddress Prover, byte[] OutputCommitment,
    byte[] ProofHash, string ProofUri) : MarketEvent(Cursor, TransactionHash);

/// <summary>RequestRefunded: the requester was credited after the deadline.</summary>
/// <param name="Cursor">Position.</param>
/// <param name="TransactionHash">Transaction.</param>
/// <param name="RequestId">The request.</param>
/// <param name="Requester">Who was credited.</param>
/// <param name="Amount">Wei credited (payment plus any slashed collateral share).</param>
public sealed record RequestRefundedEvent(
    EventCursor Cursor, string TransactionHash, BigInteger RequestId, EthereumAddress Requester, BigInteger Amount) : MarketEvent(Cursor, TransactionHash);

/// <summary>CollateralSlashed: a lock was not honoured (on refund, or when another prover took the expired lock over).</summary>
/// <param name="Cursor">Position.</param>
/// <param name="TransactionHash">Transaction.</param>
/// <param name="RequestId">The request.</param>
/// <param name="Prover">The locker that lost its collateral.</param>
/// <param name="ToRequester">Wei credited to the requester.</param>
/// <param name="Burned">Wei burned.</param>
public sealed record CollateralSlashedEvent(
    EventCursor Cursor, string TransactionHash, BigInteger RequestId, EthereumAddress Prover, BigInteger ToRequester,
    BigInteger Burned) : MarketEvent(Cursor, TransactionHash);

/// <summary>Why an account was credited.</summary>
public enum CreditReason
{
    /// <summary>A fulfilment: the payment plus the locker's own collateral.</summary>
    Payout = 0,

    /// <summary>A refund after the deadline: the payment, plus the requester's share of a broken lock's collateral.</summary>
    Refund = 1,

    /// <summary>The requester's share of an expired lock that another prover took over.</summary>
    SlashShare = 2,
}

/// <summary>Credited: an account's withdrawable balance grew (every credit has one, so balances can be rebuilt from events).</summary>
/// <param name="Cursor">Position.</param>
/// <param name="TransactionHash">Transaction.</param>
/// <param name="Account">Who was credited.</param>
/// <param name="RequestId">The request that caused it.</param>
/// <param name="Amount">Wei credited.</param>
/// <param name="Reason">Why.</param>
public sealed record CreditedEvent(
    EventCursor Cursor, string TransactionHash, EthereumAddress Account, BigInteger RequestId, BigInteger Amount,
    CreditReason Reason) : MarketEvent(Cursor, TransactionHash);

/// <summary>Withdrawal: an account took out its credit.</summary>
/// <param name="Cursor">Position.</param>
/// <param name="TransactionHash">Transaction.</param>
/// <param name="Account">Who withdrew.</param>
/// <param name="Amount">Wei sent.</param>
public sealed record WithdrawalEvent(EventCursor Cursor, string TransactionHash, EthereumAddress Account, BigInteger Amount) : MarketEvent(Cursor, TransactionHash);
