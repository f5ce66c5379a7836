namespace Zkml.Storage;

/// <summary>
/// A store of artifacts (models, keys, inputs, proofs, log entries) addressed by key, each recorded with its
/// sha256 and CIDv1 and checked against them on every read. Implementations: <see cref="S3.S3ArtifactStore"/>
/// (Akave O3 or any S3 server) and <see cref="FileSystem.FileSystemArtifactStore"/> (the embedded default).
/// Content-addressed puts are in <see cref="ArtifactStoreExtensions"/>.
/// </summary>
public interface IArtifactStore
{
    /// <summary>True when <see cref="GetPresignedReadUriAsync"/> can hand out URLs (S3: yes; filesystem: no).</summary>
    bool SupportsPresignedUrls { get; }

    /// <summary>
    /// Stores <paramref name="content"/> (read to its end) under <paramref name="key"/>, replacing any artifact
    /// there unless <see cref="ArtifactPutOptions.IfNotExists"/> is set. The write is atomic: readers see the old
    /// artifact or the whole new one, and a put that fails (bad stream, cancellation, digest mismatch) leaves
    /// nothing new visible.
    /// </summary>
    /// <returns>The reference to the stored artifact.</returns>
    /// <exception cref="ArtifactIntegrityException">The content does not match <see cref="ArtifactPutOptions.ExpectedSha256"/>.</exception>
    /// <exception cref="ArtifactAlreadyExistsException">Create-only and the key is taken.</exception>
    /// <exception cref="InvalidArtifactKeyException">The key or a metadata name breaks the rules.</exception>
    /// <exception cref="StorageException">The store failed (<see cref="StorageException.IsTransient"/> after retries).</exception>
    ValueTask<ArtifactRef> PutAsync(
        string key, Stream content, ArtifactPutOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the artifact under <paramref name="key"/> and checks its sha256 before returning any byte: the
    /// returned content is exactly what was stored.
    /// </summary>
    /// <exception cref="ArtifactNotFoundException">No artifact has that key.</exception>
    /// <exception cref="ArtifactIntegrityException">The stored bytes no longer match their recorded digest.</exception>
    ValueTask<ArtifactContent> OpenReadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>The artifact's properties, or null when no artifact has that key. Reads no content.</summary>
    ValueTask<ArtifactProperties?> HeadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>True when an artifact has that key.</summary>
    ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Deletes the artifact under <paramref name="key"/>; returns false when there was none.</summary>
    ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// The artifacts whose keys start with <paramref name="prefix"/>, in ordinal key order, fetched page by page as
    /// the caller enumerates.
    /// </summary>
    IAsyncEnumerable<ArtifactListItem> ListAsync(string prefix = "", CancellationToken cancellationToken = default);

    /// <summary>
    /// A URL that lets anyone holding it GET the artifact's bytes for <paramref name="validFor"/>, without
    /// credentials. The fetcher should check the bytes against the artifact's sha256.
    /// </summary>
    /// <exception cref="NotSupportedException">The store has no presigned URLs (<see cref="SupportsPresignedUrls"/> is false).</exception>
    ValueTask<Uri> GetPresignedReadUriAsync(string key, TimeSpan validFor, CancellationToken cancellationToken = default);
}
