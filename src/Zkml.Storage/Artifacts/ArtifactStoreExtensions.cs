namespace Zkml.Storage;

/// <summary>Content addressing and convenience reads and writes on top of any <see cref="IArtifactStore"/>.</summary>
public static class ArtifactStoreExtensions
{
    private const int SpoolMemoryThreshold = 32 << 20;

    /// <summary>
    /// Stores <paramref name="content"/> under <paramref name="prefix"/> followed by its CIDv1, so the key names the
    /// bytes. Idempotent: when that key already holds the same bytes nothing is uploaded and the existing
    /// reference is returned.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="content">The content, read to its end.</param>
    /// <param name="prefix">Put before the CID, e.g. <c>"proofs/"</c>; empty for none.</param>
    /// <param name="options">Content type, metadata, progress (create-only and expected digest apply too).</param>
    /// <param name="cancellationToken">Cancels the put.</param>
    public static async ValueTask<ArtifactRef> PutContentAddressedAsync(
        this IArtifactStore store,
        Stream content,
        string prefix = "",
        ArtifactPutOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(prefix);
        ArtifactKeys.ValidatePrefix(prefix);

        await using var spool = await ContentSpool.CreateAsync(content, SpoolMemoryThreshold, Path.GetTempPath(), cancellationToken)
            .ConfigureAwait(false);
        var key = prefix + spool.Cid;
        ArtifactMetadata.CheckExpected(key, options?.ExpectedSha256, spool.Sha256Hex);

        var existing = await store.HeadAsync(key, cancellationToken).ConfigureAwait(false);
        if (existing is not null && string.Equals(existing.Ref.Sha256, spool.Sha256Hex, StringComparison.Ordinal)
            && existing.Ref.Size == spool.Length)
        {
            return existing.Ref;
        }

        var putOptions = new ArtifactPutOptions
        {
            ContentType = options?.ContentType,
            ExpectedSha256 = spool.Sha256Hex,
            IfNotExists = options?.IfNotExists ?? false,
            Progress = options?.Progress,
        };
        if (options is not null)
        {
            foreach (var (name, value) in options.Metadata)
            {
                putOptions.Metadata[name] = value;
            }
        }

        spool.Rewind();
        return await store.PutAsync(key, spool.Stream, putOptions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stores <paramref name="content"/> under its CIDv1 after <paramref name="prefix"/> (see the stream overload).</summary>
    public static ValueTask<ArtifactRef> PutContentAddressedAsync(
        this IArtifactStore store,
        ReadOnlyMemory<byte> content,
        string prefix = "",
        ArtifactPutOptions? options = null,
        CancellationToken cancellationToken = default) =>
        store.PutContentAddressedAsync(AsStream(content), prefix, options, cancellationToken);

    /// <summary>Stores <paramref name="content"/> under <paramref name="key"/> (see <see cref="IArtifactStore.PutAsync"/>).</summary>
    public static ValueTask<ArtifactRef> PutAsync(
        this IArtifactStore store,
        string key,
        ReadOnlyMemory<byte> content,
        ArtifactPutOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.PutAsync(key, AsStream(content), options, cancellationToken);
    }

    /// <summary>The artifact's bytes, checked against its recorded sha256.</summary>
    /// <exception cref="ArtifactNotFoundException">No artifact has that key.</exception>
    /// <exception cref="ArtifactIntegrityException">The stored bytes no longer match.</exception>
    public static async ValueTask<byte[]> ReadAllBytesAsync(
        this IArtifactStore store, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        await using var content = await store.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
        var bytes = new byte[content.Properties.Ref.Size];
        await content.Content.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    /// <summary>
    /// Opens the artifact <paramref name="expected"/> names and checks that it still holds exactly the bytes the
    /// reference was made for (its sha256 and size), not only the bytes the store last recorded: a record's
    /// reference stays trustworthy even if someone with write access replaced the object since.
    /// </summary>
    /// <exception cref="ArtifactNotFoundException">No artifact has the reference's key.</exception>
    /// <exception cref="ArtifactIntegrityException">The artifact's bytes differ from the reference.</exception>
    public static async ValueTask<ArtifactContent> OpenReadAsync(
        this IArtifactStore store, ArtifactRef expected, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(expected);
        var content = await store.OpenReadAsync(expected.Key, cancellationToken).ConfigureAwait(false);
        var actual = content.Properties.Ref;
        if (!string.Equals(actual.Sha256, expected.Sha256, StringComparison.OrdinalIgnoreCase) || actual.Size != expected.Size)
        {
            await content.DisposeAsync().ConfigureAwait(false);
            throw new ArtifactIntegrityException(expected.Key, expected.Sha256, actual.Sha256,
                $"Artifact '{expected.Key}' now holds {actual.Size} bytes with sha256 {actual.Sha256}, not the {expected.Size} bytes with sha256 {expected.Sha256} it was referenced with.");
        }

        return content;
    }

    /// <summary>The bytes <paramref name="expected"/> names, checked against the reference (see the <see cref="ArtifactRef"/> overload of OpenReadAsync).</summary>
    public static async ValueTask<byte[]> ReadAllBytesAsync(
        this IArtifactStore store, ArtifactRef expected, CancellationToken cancellationToken = default)
    {
        await using var content = await store.OpenReadAsync(expected, cancellationToken).ConfigureAwait(false);
        var bytes = new byte[content.Properties.Ref.Size];
        await content.Content.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    /// <summary>
    /// Copies the artifact's bytes to <paramref name="destination"/>, after they were checked against its recorded
    /// sha256 (nothing is written to <paramref name="destination"/> when the check fails).
    /// </summary>
    public static async ValueTask<ArtifactProperties> DownloadToAsync(
        this IArtifactStore store, string key, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(destination);
        await using var content = await store.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
        await content.Content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        return content.Properties;
    }

    private static MemoryStream AsStream(ReadOnlyMemory<byte> content) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(content, out var segment) && segment.Array is not null
            ? new MemoryStream(segment.Array, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
}
