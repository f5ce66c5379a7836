namespace Zkml.Storage;

/// <summary>
/// A reference to a stored artifact: where it is and what its bytes are. Records (model commitments, proof log
/// entries) carry these so that anyone can fetch the artifact and check it.
/// </summary>
/// <param name="Key">The key in its store.</param>
/// <param name="Size">The length in bytes.</param>
/// <param name="Sha256">The sha256 digest of the bytes, lower-case hex.</param>
/// <param name="Cid">The CIDv1 (raw codec, sha2-256) of the bytes, base32 (see <see cref="ContentId"/>).</param>
/// <param name="ETag">The store's entity tag, unquoted (an MD5 or a multipart tag on S3, the sha256 on the filesystem).</param>
public sealed record ArtifactRef(string Key, long Size, string Sha256, string Cid, string? ETag);

/// <summary>Everything a store knows about an artifact without reading its bytes.</summary>
public sealed record ArtifactProperties
{
    /// <summary>The reference: key, size, digests, entity tag.</summary>
    public required ArtifactRef Ref { get; init; }

    /// <summary>The MIME type given at put time, if any.</summary>
    public string? ContentType { get; init; }

    /// <summary>User metadata given at put time (names lower-case, without the store's own entries).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>When the artifact was last written, as the store reports it.</summary>
    public DateTimeOffset? LastModified { get; init; }

    /// <summary>
    /// Akave O3 only: the network root CID, present once the object reached the Filecoin-backed network. It is a
    /// CID over encrypted, erasure-coded data, so it cannot be recomputed from the bytes; <see cref="ArtifactRef.Cid"/> can.
    /// </summary>
    public string? NetworkRootCid { get; init; }
}

/// <summary>One entry of a listing: what the store reports without reading each artifact's metadata.</summary>
/// <param name="Key">The key.</param>
/// <param name="Size">The length in bytes.</param>
/// <param name="ETag">The store's entity tag, unquoted.</param>
/// <param name="LastModified">When the artifact was last written.</param>
public sealed record ArtifactListItem(string Key, long Size, string? ETag, DateTimeOffset? LastModified);

/// <summary>Options for one put.</summary>
public sealed class ArtifactPutOptions
{
    /// <summary>The MIME type to record (default: none; S3 then reports <c>binary/octet-stream</c>).</summary>
    public string? ContentType { get; set; }

    /// <summary>
    /// User metadata to record with the artifact. Names are lower-case ASCII letters, digits and dashes and must not
    /// start with <c>zkml-</c> (the stores' own entries); values are printable ASCII.
    /// </summary>
    public IDictionary<string, string> Metadata { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// The sha256 (lower-case hex) the content must have. When the bytes differ, the put throws
    /// <see cref="ArtifactIntegrityException"/> and nothing becomes visible.
    /// </summary>
    public string? ExpectedSha256 { get; set; }

    /// <summary>
    /// Create only: when the key already names an artifact, throw <see cref="ArtifactAlreadyExistsException"/> and
    /// leave it untouched. Atomic against concurrent writers: a lock file on the filesystem, a conditional
    /// <c>If-None-Match: *</c> write on S3. Content above the S3 multipart threshold is checked before the upload and
    /// completed conditionally, which is atomic only on servers that honour conditional multipart completion.
    /// </summary>
    public bool IfNotExists { get; set; }

    /// <summary>Receives the number of content bytes sent so far.</summary>
    public IProgress<long>? Progress { get; set; }
}

/// <summary>
/// An artifact's bytes, already checked against the sha256 recorded at put time, and its properties. Dispose it to
/// release the buffer or temporary file that holds the bytes.
/// </summary>
public sealed class ArtifactContent : IDisposable, IAsyncDisposable
{
    /// <summary>
    /// Wraps verified bytes. For <see cref="IArtifactStore"/> implementations: <paramref name="content"/> must already
    /// have been checked against <see cref="ArtifactRef.Sha256"/>; this object takes ownership of it.
    /// </summary>
    public ArtifactContent(ArtifactProperties properties, Stream content)
    {
        ArgumentNullException.ThrowIfNull(properties);
        ArgumentNullException.ThrowIfNull(content);
        Properties = properties;
        Content = content;
    }

    /// <summary>The artifact's properties.</summary>
    public ArtifactProperties Properties { get; }

    /// <summary>The verified bytes, readable and seekable, positioned at the start.</summary>
    public Stream Content { get; }

    /// <inheritdoc />
    public void Dispose() => Content.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
