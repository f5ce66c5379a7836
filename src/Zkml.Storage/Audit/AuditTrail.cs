using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Zkml.Storage.Diagnostics;

namespace Zkml.Storage.Audit;

/// <summary>
/// An append-only, hash-chained log of events in an <see cref="IArtifactStore"/>: entry <c>n</c> is the artifact
/// <c>{Prefix}{n:D12}.json</c> and records the sha256 of entry <c>n - 1</c>, so changing, removing or inserting an
/// entry breaks the chain and <see cref="VerifyAsync"/> points at it.
/// </summary>
/// <remarks>
/// Appends are safe across threads, processes and machines: each entry is written create-only (a conditional
/// <c>If-None-Match: *</c> PUT on S3, a lock file on the filesystem), so of two appenders racing for the same
/// sequence number exactly one wins and the other re-reads the tail and chains after the winner. No entry is
/// lost and the trail never forks.
/// </remarks>
public sealed class AuditTrail
{
    private const string KeySuffix = ".json";
    private const int SequenceDigits = 12;

    private readonly IArtifactStore _store;
    private readonly AuditTrailOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _appendGate = new(1, 1);
    private (long Sequence, string Hash)? _tail;
    private long _contentions;

    /// <summary>Creates a trail over <paramref name="store"/>.</summary>
    public AuditTrail(IArtifactStore store, AuditTrailOptions? options = null, ILogger<AuditTrail>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _options = options ?? new AuditTrailOptions();
        if (!_options.Prefix.EndsWith('/'))
        {
            throw new ArgumentException("The audit trail prefix must end with '/'.", nameof(options));
        }

        ArtifactKeys.ValidatePrefix(_options.Prefix);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The key prefix of the entries.</summary>
    public string Prefix => _options.Prefix;

    /// <summary>How many times appends through this instance lost a race to another writer (a diagnostic).</summary>
    internal long Contentions => Interlocked.Read(ref _contentions);

    /// <summary>The key of entry <paramref name="sequence"/>.</summary>
    public string KeyOf(long sequence) =>
        _options.Prefix + sequence.ToString("D" + SequenceDigits, CultureInfo.InvariantCulture) + KeySuffix;

    /// <summary>
    /// Appends an event after the current last entry, whoever wrote it, and returns the stored entry.
    /// </summary>
    /// <param name="kind">What kind of event: 1-64 characters of lower-case letters, digits, dashes and dots.</param>
    /// <param name="payload">The event's data.</param>
    /// <param name="cancellationToken">Cancels the append; an entry is either wholly written or not at all.</param>
    /// <exception cref="StorageException">The store failed, or the append lost the race too often.</exception>
    public async ValueTask<AuditEntry> AppendAsync(string kind, JsonElement payload, CancellationToken cancellationToken = default)
    {
        ValidateKind(kind);
        await _appendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; attempt <= _options.MaxAppendAttempts; attempt++)
            {
                var tail = _tail ?? await FindTailAsync(cancellationToken).ConfigureAwait(false);
                var sequence = tail.Sequence + 1;
                var timestamp = _options.TimeProvider.GetUtcNow();
                var bytes = Serialize(sequence, tail.Hash, timestamp, kind, payload);
                var key = KeyOf(sequence);
                try
                {
                    var stored = await _store.PutAsync(key, bytes,
                        new ArtifactPutOptions { IfNotExists = true, ContentType = "application/json" },
                        cancellationToken).ConfigureAwait(false);
                    _tail = (sequence, stored.Sha256);
                    StorageLog.AuditAppended(_logger, _options.Prefix, sequence, stored.Sha256);
                    return new AuditEntry
                    {
                        Sequence = sequence,
                        PreviousHash = tail.Hash,
                        Timestamp = timestamp,
                        Kind = kind,
                        Payload = payload.Clone(),
                        Hash = stored.Sha256,
                        Key = key,
                    };
                }
                catch (ArtifactAlreadyExistsException)
                {
                    // Another writer took this sequence number: chain after whatever is there now.
                    Interlocked.Increment(ref _contentions);
                    StorageLog.AuditContended(_logger, _options.Prefix, sequence);
                    _tail = await AdvanceTailAsync(tail, cancellationToken).ConfigureAwait(false);
                    await Task.Delay(Random.Shared.Next(0, Math.Min(50, attempt * 2) + 1), cancellationToken).ConfigureAwait(false);
                }
            }

            throw new StorageException(
                $"Audit trail '{_options.Prefix}': gave up after {_options.MaxAppendAttempts} attempts lost to other writers.",
                isTransient: true);
        }
        finally
        {
            _appendGate.Release();
        }
    }

    /// <summary>Appends an event whose payload is <paramref name="payload"/> serialized with <paramref name="typeInfo"/>.</summary>
    public ValueTask<AuditEntry> AppendAsync<T>(
        string kind, T payload, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        return AppendAsync(kind, JsonSerializer.SerializeToElement(payload, typeInfo), cancellationToken);
    }

    /// <summary>The entries from <paramref name="fromSequence"/> on, in order, each read and checked against its stored digest.</summary>
    /// <exception cref="ArtifactIntegrityException">An entry's bytes were altered (use <see cref="VerifyAsync"/> to locate damage).</exception>
    public async IAsyncEnumerable<AuditEntry> ReadAsync(
        long fromSequence = 1, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var (sequence, key) in ListEntryKeysAsync(cancellationToken).ConfigureAwait(false))
        {
            if (sequence >= fromSequence)
            {
                var (entry, _) = await ReadEntryAsync(key, cancellationToken).ConfigureAwait(false);
                yield return entry;
            }
        }
    }

    /// <summary>The last entry, or null when the trail is empty.</summary>
    public async ValueTask<AuditEntry?> GetLastAsync(CancellationToken cancellationToken = default)
    {
        var tail = await FindTailAsync(cancellationToken).ConfigureAwait(false);
        return tail.Sequence == 0
            ? null
            : (await ReadEntryAsync(KeyOf(tail.Sequence), cancellationToken).ConfigureAwait(false)).Entry;
    }

    /// <summary>
    /// Walks the whole trail and reports the first entry that is missing, altered, malformed or not chained to the
    /// one before it. With <paramref name="expectedHeadHash"/> (the hash of the last entry, kept elsewhere, e.g. on
    /// chain) it also detects entries removed from or added to the end.
    /// </summary>
    public async ValueTask<AuditVerificationResult> VerifyAsync(
        string? expectedHeadHash = null, CancellationToken cancellationToken = default)
    {
        long expected = 1;
        var previousHash = AuditEntry.GenesisHash;
        var hashBeforePrevious = AuditEntry.GenesisHash;
        await foreach (var (sequence, key) in ListEntryKeysAsync(cancellationToken).ConfigureAwait(false))
        {
            if (sequence != expected)
            {
                return Broken(expected - 1, previousHash, new AuditViolation(expected, AuditViolationKind.Missing,
                    $"Entry {expected} is missing: the trail jumps from {expected - 1} to {sequence}."));
            }

            AuditEntry entry;
            try
            {
                (entry, _) = await ReadEntryAsync(key, cancellationToken).ConfigureAwait(false);
            }
            catch (ArtifactIntegrityException ex)
            {
                return Broken(expected - 1, previousHash, new AuditViolation(sequence, AuditViolationKind.Altered,
                    $"Entry {sequence} was altered after it was written: {ex.Message}"));
            }
            catch (ArtifactNotFoundException)
            {
                return Broken(expected - 1, previousHash, new AuditViolation(sequence, AuditViolationKind.Missing,
                    $"Entry {sequence} disappeared while the trail was being verified."));
            }
            catch (FormatException ex)
            {
                return Broken(expected - 1, previousHash, new AuditViolation(sequence, AuditViolationKind.Malformed,
                    $"Entry {sequence} is not a valid audit entry: {ex.Message}"));
            }

            if (entry.Sequence != sequence)
            {
                return Broken(expected - 1, previousHash, new AuditViolation(sequence, AuditViolationKind.Malformed,
                    $"Entry {sequence} says it is entry {entry.Sequence}."));
            }

            if (!string.Equals(entry.PreviousHash, previousHash, StringComparison.Ordinal))
            {
                // The link from this entry to the one before is broken. The earlier entry is the one whose content
                // no longer matches what was chained to it (unless this entry's link itself was rewritten).
                return sequence == 1
                    ? Broken(0, previousHash, new AuditViolation(1, AuditViolationKind.Malformed,
                        "Entry 1 does not start from the genesis hash."))
                    : Broken(sequence - 2, hashBeforePrevious, new AuditViolation(sequence - 1, AuditViolationKind.Altered,
                        $"Entry {sequence - 1} hashes to {previousHash}, but entry {sequence} recorded {entry.PreviousHash}: " +
                        $"entry {sequence - 1} was altered or replaced after entry {sequence} was appended."));
            }

            hashBeforePrevious = previousHash;
            previousHash = entry.Hash;
            expected++;
        }

        if (expectedHeadHash is not null && !string.Equals(expectedHeadHash, previousHash, StringComparison.OrdinalIgnoreCase))
        {
            return Broken(expected - 1, previousHash, new AuditViolation(expected - 1, AuditViolationKind.UnexpectedHead,
                $"The trail ends at entry {expected - 1} with hash {previousHash}, not at the expected head {expectedHeadHash}: " +
                "entries were removed from or added to its end."));
        }

        return new AuditVerificationResult(expected - 1, previousHash, null);
    }

    private AuditVerificationResult Broken(long soundCount, string headHash, AuditViolation violation)
    {
        StorageLog.AuditBroken(_logger, _options.Prefix, violation.Sequence, violation.Message);
        return new AuditVerificationResult(soundCount, headHash, violation);
    }

    private async Task<(long Sequence, string Hash)> FindTailAsync(CancellationToken cancellationToken)
    {
        long last = 0;
        string? lastKey = null;
        await foreach (var (sequence, key) in ListEntryKeysAsync(cancellationToken).ConfigureAwait(false))
        {
            last = sequence;
            lastKey = key;
        }

        if (lastKey is null)
        {
            return (0, AuditEntry.GenesisHash);
        }

        var (_, hash) = await ReadEntryAsync(lastKey, cancellationToken).ConfigureAwait(false);
        return await AdvanceTailAsync((last, hash), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Follows entries written after <paramref name="tail"/> until the next number is free.</summary>
    private async Task<(long Sequence, string Hash)> AdvanceTailAsync((long Sequence, string Hash) tail, CancellationToken cancellationToken)
    {
        while (true)
        {
            var properties = await _store.HeadAsync(KeyOf(tail.Sequence + 1), cancellationToken).ConfigureAwait(false);
            if (properties is null)
            {
                return tail;
            }

            tail = (tail.Sequence + 1, properties.Ref.Sha256);
        }
    }

    private async IAsyncEnumerable<(long Sequence, string Key)> ListEntryKeysAsync(
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in _store.ListAsync(_options.Prefix, cancellationToken).ConfigureAwait(false))
        {
            var name = item.Key[_options.Prefix.Length..];
            if (name.Length == SequenceDigits + KeySuffix.Length && name.EndsWith(KeySuffix, StringComparison.Ordinal)
                && long.TryParse(name.AsSpan(0, SequenceDigits), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                yield return (sequence, item.Key);
            }
        }
    }

    private async Task<(AuditEntry Entry, string Hash)> ReadEntryAsync(string key, CancellationToken cancellationToken)
    {
        await using var content = await _store.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
        var bytes = new byte[content.Properties.Ref.Size];
        await content.Content.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        // The chain is checked against the hash of the bytes themselves, not only the digest the store recorded.
        var hash = ContentId.Sha256Hex(bytes);
        return (Deserialize(bytes, hash, key), hash);
    }

    private static byte[] Serialize(long sequence, string previous, DateTimeOffset timestamp, string kind, JsonElement payload)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("sequence", sequence);
            writer.WriteString("previous", previous);
            writer.WriteString("timestamp", timestamp.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
            writer.WriteString("kind", kind);
            writer.WritePropertyName("payload");
            payload.WriteTo(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static AuditEntry Deserialize(byte[] bytes, string hash, string key)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            return new AuditEntry
            {
                Sequence = root.GetProperty("sequence").GetInt64(),
                PreviousHash = root.GetProperty("previous").GetString() ?? throw new FormatException("previous is null"),
                Timestamp = DateTimeOffset.Parse(root.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture),
                Kind = root.GetProperty("kind").GetString() ?? throw new FormatException("kind is null"),
                Payload = root.GetProperty("payload").Clone(),
                Hash = hash,
                Key = key,
            };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentNullException)
        {
            throw new FormatException(ex.Message, ex);
        }
    }

    private static void ValidateKind(string kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        if (kind.Length is 0 or > 64 || !kind.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))
        {
            throw new ArgumentException("An audit kind is 1-64 lower-case letters, digits, dashes or dots.", nameof(kind));
        }
    }
}
