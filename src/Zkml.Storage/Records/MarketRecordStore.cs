using System.Runtime.CompilerServices;
using System.Text.Json;
using Zkml.Storage.Audit;

namespace Zkml.Storage.Records;

/// <summary>
/// The market's records in an <see cref="IArtifactStore"/>: model commitments (<c>models/{modelId}.json</c>,
/// written once) and the proof log (each step of each request, logged in the <see cref="AuditTrail"/> and the
/// latest kept at <c>proof-log/{requestId}.json</c>).
/// </summary>
public sealed class MarketRecordStore
{
    /// <summary>The audit kind of a model commitment.</summary>
    public const string ModelCommittedKind = "model-committed";

    /// <summary>The audit kind of a proof log entry.</summary>
    public const string ProofLogKind = "proof-log";

    private const string ModelPrefix = "models/";
    private const string ProofLogPrefix = "proof-log/";

    private readonly IArtifactStore _store;
    private readonly AuditTrail _auditTrail;

    /// <summary>Creates the record store over <paramref name="store"/>, logging to <paramref name="auditTrail"/>.</summary>
    public MarketRecordStore(IArtifactStore store, AuditTrail auditTrail)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(auditTrail);
        _store = store;
        _auditTrail = auditTrail;
    }

    /// <summary>The audit trail the records are logged in.</summary>
    public AuditTrail AuditTrail => _auditTrail;

    /// <summary>
    /// Stores a model commitment (once: a commitment is never replaced) and logs it in the audit trail.
    /// </summary>
    /// <exception cref="ArtifactAlreadyExistsException">A different commitment for this model id exists already.</exception>
    /// <exception cref="InvalidArtifactKeyException">The model id cannot be part of a key.</exception>
    public async ValueTask<RecordReceipt> CommitModelAsync(ModelCommitment commitment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commitment);
        if (!ContentId.TryParseSha256Hex(commitment.VkHash, out _))
        {
            throw new ArgumentException("VkHash must be a sha256 digest (64 hex digits).", nameof(commitment));
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(commitment, MarketRecordJsonContext.Default.ModelCommitment);
        var key = ModelKey(commitment.ModelId);
        ArtifactRef stored;
        try
        {
            stored = await _store.PutAsync(key, bytes,
                new ArtifactPutOptions { IfNotExists = true, ContentType = "application/json" }, cancellationToken).ConfigureAwait(false);
        }
        catch (ArtifactAlreadyExistsException)
        {
            // The same commitment again (a retry after a failed audit append) completes; a different one is refused.
            var existing = await _store.HeadAsync(key, cancellationToken).ConfigureAwait(false);
            if (existing is null || existing.Ref.Sha256 != ContentId.Sha256Hex(bytes))
            {
                throw;
            }

            stored = existing.Ref;
        }

        var entry = await _auditTrail.AppendAsync(ModelCommittedKind, Payload(stored, bytes), cancellationToken).ConfigureAwait(false);
        return new RecordReceipt(stored, entry);
    }

    /// <summary>The commitment for <paramref name="modelId"/>, or null when none was stored.</summary>
    /// <exception cref="ArtifactIntegrityException">The stored record was altered.</exception>
    public async ValueTask<ModelCommitment?> GetModelAsync(string modelId, CancellationToken cancellationToken = default)
    {
        var key = ModelKey(modelId);
        try
        {
            var bytes = await _store.ReadAllBytesAsync(key, cancellationToken).ConfigureAwait(false);
            return JsonSerializer.Deserialize(bytes, MarketRecordJsonContext.Default.ModelCommitment);
        }
        catch (ArtifactNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Logs one step of a proof request in the audit trail and keeps it as the request's latest state.</summary>
    public async ValueTask<RecordReceipt> AppendProofLogAsync(ProofLogEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var key = ProofLogKey(entry.RequestId);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(entry, MarketRecordJsonContext.Default.ProofLogEntry);
        // The trail first: it is the record of truth; the latest-state file is a convenience rebuilt from it.
        var auditEntry = await _auditTrail.AppendAsync(ProofLogKind, Payload(null, bytes), cancellationToken).ConfigureAwait(false);
        var stored = await _store.PutAsync(key, bytes, new ArtifactPutOptions { ContentType = "application/json" }, cancellationToken)
            .ConfigureAwait(false);
        return new RecordReceipt(stored, auditEntry);
    }

    /// <summary>The latest logged step of request <paramref name="requestId"/>, or null when none was logged.</summary>
    public async ValueTask<ProofLogEntry?> GetProofLogAsync(string requestId, CancellationToken cancellationToken = default)
    {
        try
        {
            var bytes = await _store.ReadAllBytesAsync(ProofLogKey(requestId), cancellationToken).ConfigureAwait(false);
            return JsonSerializer.Deserialize(bytes, MarketRecordJsonContext.Default.ProofLogEntry);
        }
        catch (ArtifactNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Every logged step of request <paramref name="requestId"/>, oldest first, read from the audit trail.</summary>
    public async IAsyncEnumerable<ProofLogEntry> ReadProofHistoryAsync(
        string requestId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        await foreach (var auditEntry in _auditTrail.ReadAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (auditEntry.Kind == ProofLogKind
                && auditEntry.Payload.TryGetProperty("record", out var record)
                && record.Deserialize(MarketRecordJsonContext.Default.ProofLogEntry) is { } entry
                && entry.RequestId == requestId)
            {
                yield return entry;
            }
        }
    }

    private static JsonElement Payload(ArtifactRef? stored, byte[] recordJson)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (stored is not null)
            {
                writer.WriteString("key", stored.Key);
                writer.WriteString("sha256", stored.Sha256);
            }

            writer.WritePropertyName("record");
            writer.WriteRawValue(recordJson);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    private static string ModelKey(string modelId) => Key(ModelPrefix, modelId, nameof(modelId));

    private static string ProofLogKey(string requestId) => Key(ProofLogPrefix, requestId, nameof(requestId));

    private static string Key(string prefix, string id, string parameter)
    {
        ArgumentNullException.ThrowIfNull(id, parameter);
        if (id.Contains('/'))
        {
            throw new InvalidArtifactKeyException(prefix + id, "an id must not contain '/'");
        }

        var key = prefix + id + ".json";
        ArtifactKeys.Validate(key);
        return key;
    }
}
