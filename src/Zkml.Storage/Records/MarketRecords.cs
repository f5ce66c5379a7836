using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zkml.Storage.Records;

/// <summary>
/// What a provider commits to when it registers a model: the model's id (on chain, keccak256 of the verifying
/// key), the verifying key's digest, the circuit settings and where every artifact is stored.
/// </summary>
public sealed record ModelCommitment
{
    /// <summary>The model id, as the market contract knows it (<c>0x</c> + 64 hex digits: keccak256 of the vk bytes).</summary>
    public required string ModelId { get; init; }

    /// <summary>The sha256 (lower-case hex) of the verifying key bytes, matching <c>Artifacts["vk"].Sha256</c>.</summary>
    public required string VkHash { get; init; }

    /// <summary>The ezkl circuit settings (settings.json) the keys were made with.</summary>
    public JsonElement? Settings { get; init; }

    /// <summary>The stored artifacts by role: e.g. <c>network</c>, <c>compiled</c>, <c>settings</c>, <c>vk</c>, <c>pk</c>, <c>srs</c>.</summary>
    public required IReadOnlyDictionary<string, ArtifactRef> Artifacts { get; init; }

    /// <summary>When the commitment was made.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>A human description of the model.</summary>
    public string? Description { get; init; }
}

/// <summary>Where a proof request stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProofStatus>))]
public enum ProofStatus
{
    /// <summary>A user paid for a proof.</summary>
    Requested,

    /// <summary>A provider locked the request with collateral.</summary>
    Locked,

    /// <summary>The provider is proving.</summary>
    Proving,

    /// <summary>The proof was made and stored, not yet accepted on chain.</summary>
    Proved,

    /// <summary>The contract verified the proof and paid the provider.</summary>
    Fulfilled,

    /// <summary>Proving or fulfilment failed (see <see cref="ProofLogEntry.Error"/>).</summary>
    Failed,

    /// <summary>The deadline passed and the user was refunded.</summary>
    Refunded,
}

/// <summary>One step in the life of a proof request, as written to the proof log.</summary>
public sealed record ProofLogEntry
{
    /// <summary>The request id in the market contract.</summary>
    public required string RequestId { get; init; }

    /// <summary>The model the proof is for.</summary>
    public required string ModelId { get; init; }

    /// <summary>The commitment to the input (keccak256 of its public instances, as on chain).</summary>
    public required string InputCommitment { get; init; }

    /// <summary>The commitment to the output, once proved.</summary>
    public string? OutputCommitment { get; init; }

    /// <summary>The stored input.</summary>
    public ArtifactRef? Input { get; init; }

    /// <summary>The stored proof, once proved.</summary>
    public ArtifactRef? Proof { get; init; }

    /// <summary>Where the request stands.</summary>
    public required ProofStatus Status { get; init; }

    /// <summary>When the request was made.</summary>
    public required DateTimeOffset RequestedAt { get; init; }

    /// <summary>When this step happened.</summary>
    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>Hashes of the transactions of the request so far (request, lock, fulfil, refund), <c>0x</c>-hex.</summary>
    public IReadOnlyList<string> TransactionHashes { get; init; } = [];

    /// <summary>Why the request failed, when <see cref="Status"/> is <see cref="ProofStatus.Failed"/>.</summary>
    public string? Error { get; init; }
}

/// <summary>Where a record was stored and the audit trail entry that logged it.</summary>
/// <param name="Record">The stored record.</param>
/// <param name="AuditEntry">The audit trail entry that logged it.</param>
public sealed record RecordReceipt(ArtifactRef Record, Audit.AuditEntry AuditEntry);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelCommitment))]
[JsonSerializable(typeof(ProofLogEntry))]
internal sealed partial class MarketRecordJsonContext : JsonSerializerContext;
