namespace Zkml.Storage;

/// <summary>The stores' own metadata entries and the rules for user metadata, shared by every store.</summary>
internal static class ArtifactMetadata
{
    /// <summary>The sha256 of the content, lower-case hex.</summary>
    public const string Sha256 = "zkml-sha256";

    /// <summary>The CIDv1 of the content.</summary>
    public const string Cid = "zkml-cid";

    /// <summary>Names starting with this are the stores' own.</summary>
    public const string ReservedPrefix = "zkml-";

    /// <summary>Throws <see cref="InvalidArtifactKeyException"/> for a user metadata entry the stores cannot carry.</summary>
    public static void ValidateUserMetadata(string key, IDictionary<string, string>? metadata)
    {
        if (metadata is null)
        {
            return;
        }

        foreach (var (name, value) in metadata)
        {
            if (string.IsNullOrEmpty(name) || name.Length > 128 ||
                !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            {
                throw new InvalidArtifactKeyException(key,
                    $"metadata name '{name}' must be 1-128 lower-case ASCII letters, digits or dashes");
            }

            if (name.StartsWith(ReservedPrefix, StringComparison.Ordinal))
            {
                throw new InvalidArtifactKeyException(key, $"metadata name '{name}' is reserved (prefix '{ReservedPrefix}')");
            }

            if (value is null || value.Length > 1024 || !value.All(c => c is >= ' ' and <= '~'))
            {
                throw new InvalidArtifactKeyException(key,
                    $"metadata value of '{name}' must be at most 1024 printable ASCII characters");
            }
        }
    }

    /// <summary>
    /// The digest the bytes under <paramref name="key"/> must have: the recorded one, which must agree with the CID
    /// when the key's last segment is one (content-addressed keys cannot be repointed by rewriting metadata).
    /// </summary>
    public static string ExpectedSha256(string key, string? recordedSha256)
    {
        var lastSegment = key[(key.LastIndexOf('/') + 1)..];
        var fromKey = ContentId.TryGetSha256(lastSegment, out var digest) ? Convert.ToHexStringLower(digest) : null;
        if (recordedSha256 is null || !ContentId.TryParseSha256Hex(recordedSha256, out _))
        {
            return fromKey ?? throw new ArtifactIntegrityException(key, null, null,
                $"Artifact '{key}' carries no valid {Sha256} digest, so its bytes cannot be checked; it was not written by a Zkml store or its metadata was altered.");
        }

        if (fromKey is not null && !string.Equals(fromKey, recordedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArtifactIntegrityException(key, fromKey, recordedSha256,
                $"Artifact '{key}' is content-addressed as {fromKey}, but its metadata records {recordedSha256}.");
        }

        return recordedSha256.ToLowerInvariant();
    }

    public static void CheckExpected(string key, string? expectedSha256, string actualSha256)
    {
        if (expectedSha256 is not null && !string.Equals(expectedSha256, actualSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArtifactIntegrityException(key, expectedSha256, actualSha256,
                $"Content for '{key}' hashes to {actualSha256}, not the expected {expectedSha256}; nothing was stored.");
        }
    }
}
