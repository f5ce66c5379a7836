using System.Runtime.CompilerServices;
using System.Text.Json;
using Zkml.Storage;

namespace Zkml.Samples;

/// <summary>Where a request is in the provider's state machine.</summary>
public enum RequestStatus
{
    /// <summary>Paid on chain, seen by the provider.</summary>
    Requested,

    /// <summary>Locked by the provider with collateral.</summary>
    Locked,

    /// <summary>The provider is proving.</summary>
    Proving,

    /// <summary>A verified proof was accepted on chain and the provider was paid.</summary>
    Fulfilled,

    /// <summary>The requester was refunded after the deadline.</summary>
    Refunded,

    /// <summary>The provider will not (or could not) serve it: bad input, expired, proving error.</summary>
    Failed,
}

/// <summary>Transaction hashes of a request's life.</summary>
public sealed record RequestTransactions
{
    /// <summary>The request (payment) transaction.</summary>
    public string? Request { get; init; }

    /// <summary>The provider's lock.</summary>
    public string? Lock { get; init; }

    /// <summary>The fulfilment.</summary>
    public string? Fulfil { get; init; }

    /// <summary>The refund.</summary>
    public string? Refund { get; init; }
}

/// <summary>Gas the provider spent on a request.</summary>
public sealed record RequestGas
{
    /// <summary>Gas used by the lock.</summary>
    public long? Lock { get; init; }

    /// <summary>Gas used by the fulfilment.</summary>
    public long? Fulfil { get; init; }
}

/// <summary>
/// The provider's persisted state for one request (provider/requests/{id}.json in the artifact store). The worker
/// writes it before and after every step, so a restarted provider resumes each request where it stopped.
/// </summary>
public sealed record RequestRecord
{
    /// <summary>The market's request id (decimal).</summary>
    public required string RequestId { get; init; }

    /// <summary>The model id (0x hex).</summary>
    public required string ModelId { get; init; }

    /// <summary>The paying account.</summary>
    public required string Requester { get; init; }

    /// <summary>The state.</summary>
    public required RequestStatus Status { get; init; }

    /// <summary>The escrowed payment, wei (decimal).</summary>
    public required string PriceWei { get; init; }

    /// <summary>keccak256 of the input instances (0x hex), as committed on chain.</summary>
    public required string InputCommitment { get; init; }

    /// <summary>keccak256 of the output instances (0x hex), once fulfilled.</summary>
    public string? OutputCommitment { get; init; }

    /// <summary>Where the input is stored.</summary>
    public required string InputUri { get; init; }

    /// <summary>The stored input, once the provider fetched and checked it.</summary>
    public ArtifactRef? Input { get; init; }

    /// <summary>Where the proof is stored.</summary>
    public string? ProofUri { get; init; }

    /// <summary>The stored proof.</summary>
    public ArtifactRef? Proof { get; init; }

    /// <summary>The dequantized outputs the proof commits to.</summary>
    public IReadOnlyList<double>? Outputs { get; init; }

    /// <summary>Transactions.</summary>
    public RequestTransactions Txs { get; init; } = new();

    /// <summary>Gas used.</summary>
    public RequestGas GasUsed { get; init; } = new();

    /// <summary>Milliseconds the last proof took.</summary>
    public long? ProveMs { get; init; }

    /// <summary>How many times proving was started (more than one after a crash mid-proof).</summary>
    public int ProveAttempts { get; init; }

    /// <summary>When the request was made (block time).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The request's deadline.</summary>
    public required DateTimeOffset Deadline { get; init; }

    /// <summary>When it was fulfilled or refunded.</summary>
    public DateTimeOffset? SettledAt { get; init; }

    /// <summary>The last server-side verification result, if any.</summary>
    public bool? Verified { get; init; }

    /// <summary>Why it failed.</summary>
    public string? Error { get; init; }
}

/// <summary>Stores <see cref="RequestRecord"/>s in the artifact store.</summary>
public sealed class RequestRecordStore(IArtifactStore store)
{
    /// <summary>The key prefix.</summary>
    public const string Prefix = "provider/requests/";

    private readonly SemaphoreSlim _writeLock = new(1, 1);

    /// <summary>
    /// Reads a record, applies a change (null: none) and writes it back, one writer at a time in this process;
    /// <paramref name="beforeWrite"/> runs (e.g. appends to the audit trail) before the new state is written.
    /// </summary>
    /// <returns>The record as it is now; null when unknown.</returns>
    public async Task<RequestRecord?> UpdateAsync(
        string requestId, Func<RequestRecord, Task<RequestRecord?>> change, Func<RequestRecord, RequestRecord, Task>? beforeWrite = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = await GetAsync(requestId, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return null;
            }

            var next = await change(current).ConfigureAwait(false);
            if (next is null || next == current)
            {
                return current;
            }

            if (beforeWrite is not null)
            {
                await beforeWrite(current, next).ConfigureAwait(false);
            }

            await SaveAsync(next, cancellationToken).ConfigureAwait(false);
            return next;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Writes a new record unless one exists; returns whether it wrote.</summary>
    public async Task<bool> CreateAsync(RequestRecord record, Func<RequestRecord, Task>? beforeWrite = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await GetAsync(record.RequestId, cancellationToken).ConfigureAwait(false) is not null)
            {
                return false;
            }

            if (beforeWrite is not null)
            {
                await beforeWrite(record).ConfigureAwait(false);
            }

            await SaveAsync(record, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The record of one request; null when unknown.</summary>
    public async ValueTask<RequestRecord?> GetAsync(string requestId, CancellationToken cancellationToken = default)
    {
        try
        {
            var bytes = await store.ReadAllBytesAsync(KeyOf(requestId), cancellationToken).ConfigureAwait(false);
            return JsonSerializer.Deserialize<RequestRecord>(bytes, SampleJson.Options);
        }
        catch (ArtifactNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Writes (replaces) a record; prefer <see cref="UpdateAsync"/> when other writers may run.</summary>
    public async ValueTask SaveAsync(RequestRecord record, CancellationToken cancellationToken = default) =>
        await store.PutAsync(KeyOf(record.RequestId), JsonSerializer.SerializeToUtf8Bytes(record, SampleJson.Options),
            new ArtifactPutOptions { ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);

    /// <summary>Every record.</summary>
    public async IAsyncEnumerable<RequestRecord> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in store.ListAsync(Prefix, cancellationToken).ConfigureAwait(false))
        {
            if (!item.Key.EndsWith(".json", StringComparison.Ordinal))
            {
                continue;
            }

            var record = await GetAsync(item.Key[Prefix.Length..^5], cancellationToken).ConfigureAwait(false);
            if (record is not null)
            {
                yield return record;
            }
        }
    }

    private static string KeyOf(string requestId) => Prefix + requestId + ".json";
}

/// <summary>Artifact URIs the samples write on chain: "zkml-store:{key}" names a key in the shared artifact store.</summary>
public static class StoreUri
{
    /// <summary>The scheme.</summary>
    public const string Scheme = "zkml-store:";

    /// <summary>The URI of a key.</summary>
    public static string For(string key) => Scheme + key;

    /// <summary>The key a URI names.</summary>
    /// <exception cref="FormatException">Not a zkml-store URI.</exception>
    public static string KeyOf(string uri) =>
        uri.StartsWith(Scheme, StringComparison.Ordinal) && uri.Length > Scheme.Length
            ? uri[Scheme.Length..]
            : throw new FormatException($"'{uri}' is not a {Scheme} URI.");
}
