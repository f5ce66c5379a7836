using System.Text.Json;

namespace Zkml.Storage.Audit;

/// <summary>
/// One entry of an <see cref="AuditTrail"/>: what happened (<see cref="Kind"/>, <see cref="Payload"/>), when, its
/// place in the trail, and the hash of the entry before it. <see cref="Hash"/> is the sha256 of the entry's stored
/// bytes, which the next entry records as its <see cref="PreviousHash"/>.
/// </summary>
public sealed record AuditEntry
{
    /// <summary>The <see cref="PreviousHash"/> of the first entry: 64 zeros.</summary>
    public static readonly string GenesisHash = new('0', 64);

    /// <summary>The position in the trail, from 1.</summary>
    public required long Sequence { get; init; }

    /// <summary>The <see cref="Hash"/> of entry <c>Sequence - 1</c>, or <see cref="GenesisHash"/> for the first.</summary>
    public required string PreviousHash { get; init; }

    /// <summary>When the entry was appended (UTC, as the appender's clock read it).</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>What kind of event this is, e.g. <c>model-committed</c> or <c>proof-log</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The event's data (a JSON value).</summary>
    public required JsonElement Payload { get; init; }

    /// <summary>The sha256 (lower-case hex) of the entry's stored bytes.</summary>
    public required string Hash { get; init; }

    /// <summary>The key of the entry in its store.</summary>
    public required string Key { get; init; }
}

/// <summary>What is wrong with an audit trail at the first entry that fails verification.</summary>
public enum AuditViolationKind
{
    /// <summary>An entry is absent: a sequence number is skipped.</summary>
    Missing,

    /// <summary>
    /// An entry's bytes changed after it was written: they no longer match the digest stored with them, or no
    /// longer hash to what the next entry records.
    /// </summary>
    Altered,

    /// <summary>An entry cannot be read as an audit entry, or its own fields contradict its place in the trail.</summary>
    Malformed,

    /// <summary>The trail does not end with the entry the caller expected (entries removed or added at the end).</summary>
    UnexpectedHead,
}

/// <summary>The first problem found in an audit trail.</summary>
/// <param name="Sequence">The first entry that cannot be trusted.</param>
/// <param name="Kind">What is wrong with it.</param>
/// <param name="Message">A sentence saying what was found.</param>
public sealed record AuditViolation(long Sequence, AuditViolationKind Kind, string Message);

/// <summary>The result of <see cref="AuditTrail.VerifyAsync"/>.</summary>
/// <param name="EntryCount">How many entries, from the first, were checked and found sound.</param>
/// <param name="HeadHash">The hash of the last sound entry (<see cref="AuditEntry.GenesisHash"/> when none).</param>
/// <param name="FirstViolation">The first problem, or null when the whole trail is sound.</param>
public sealed record AuditVerificationResult(long EntryCount, string HeadHash, AuditViolation? FirstViolation)
{
    /// <summary>True when every entry is present, unaltered and chained to the one before.</summary>
    public bool IsValid => FirstViolation is null;
}
