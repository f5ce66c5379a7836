namespace Zkml.Storage;

/// <summary>The root of every error Zkml.Storage reports.</summary>
public class StorageException : Exception
{
    /// <summary>Creates a storage error.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying error, if any.</param>
    /// <param name="isTransient">Whether repeating the operation later may succeed.</param>
    public StorageException(string message, Exception? innerException = null, bool isTransient = false)
        : base(message, innerException)
    {
        IsTransient = isTransient;
    }

    /// <summary>
    /// True when the failure is likely temporary (a server error, a throttled request, a dropped connection) and
    /// the store already retried it as often as its options allow; repeating the operation later may succeed.
    /// </summary>
    public bool IsTransient { get; }
}

/// <summary>The key names no artifact in the store.</summary>
public sealed class ArtifactNotFoundException : StorageException
{
    /// <summary>Creates the error for <paramref name="key"/>.</summary>
    public ArtifactNotFoundException(string key, Exception? innerException = null)
        : base($"Artifact '{key}' does not exist.", innerException)
    {
        Key = key;
    }

    /// <summary>The key that was asked for.</summary>
    public string Key { get; }
}

/// <summary>
/// A create-only write (<see cref="ArtifactPutOptions.IfNotExists"/>) found the key already taken. Nothing was
/// written.
/// </summary>
public sealed class ArtifactAlreadyExistsException : StorageException
{
    /// <summary>Creates the error for <paramref name="key"/>.</summary>
    public ArtifactAlreadyExistsException(string key, Exception? innerException = null)
        : base($"Artifact '{key}' already exists.", innerException)
    {
        Key = key;
    }

    /// <summary>The key that was already taken.</summary>
    public string Key { get; }
}

/// <summary>
/// Bytes do not match the sha256 digest they must have: an artifact altered behind the store's back, a corrupted
/// transfer, or content that differs from <see cref="ArtifactPutOptions.ExpectedSha256"/>. The bad bytes are never
/// handed to the caller, and a put that fails this check leaves nothing visible.
/// </summary>
public sealed class ArtifactIntegrityException : StorageException
{
    /// <summary>Creates the error.</summary>
    /// <param name="key">The artifact's key.</param>
    /// <param name="expectedSha256">The digest the bytes must have (lower-case hex), or null when none is recorded.</param>
    /// <param name="actualSha256">The digest of the bytes found (lower-case hex), or null when not computed.</param>
    /// <param name="message">What was checked.</param>
    public ArtifactIntegrityException(string key, string? expectedSha256, string? actualSha256, string message)
        : base(message)
    {
        Key = key;
        ExpectedSha256 = expectedSha256;
        ActualSha256 = actualSha256;
    }

    /// <summary>The artifact's key.</summary>
    public string Key { get; }

    /// <summary>The digest the bytes must have (lower-case hex), or null when the artifact records none.</summary>
    public string? ExpectedSha256 { get; }

    /// <summary>The digest of the bytes actually found (lower-case hex), or null when not computed.</summary>
    public string? ActualSha256 { get; }
}

/// <summary>A key or metadata name the stores do not accept (see <see cref="ArtifactKeys"/> for the rules).</summary>
public sealed class InvalidArtifactKeyException : StorageException
{
    /// <summary>Creates the error.</summary>
    public InvalidArtifactKeyException(string key, string reason)
        : base($"Invalid artifact key '{key}': {reason}")
    {
        Key = key;
    }

    /// <summary>The rejected key.</summary>
    public string Key { get; }
}
