namespace Zkml.Storage.Tests.Support;

/// <summary>Passes every call to a real store and counts the puts that reach it, so a test can tell a write was skipped.</summary>
internal sealed class PutCountingStore(IArtifactStore inner) : IArtifactStore
{
    private int _puts;

    /// <summary>How many <see cref="PutAsync"/> calls reached the inner store.</summary>
    public int Puts => Volatile.Read(ref _puts);

    public bool SupportsPresignedUrls => inner.SupportsPresignedUrls;

    public ValueTask<ArtifactRef> PutAsync(
        string key, Stream content, ArtifactPutOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _puts);
        return inner.PutAsync(key, content, options, cancellationToken);
    }

    public ValueTask<ArtifactContent> OpenReadAsync(string key, CancellationToken cancellationToken = default) =>
        inner.OpenReadAsync(key, cancellationToken);

    public ValueTask<ArtifactProperties?> HeadAsync(string key, CancellationToken cancellationToken = default) =>
        inner.HeadAsync(key, cancellationToken);

    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        inner.ExistsAsync(key, cancellationToken);

    public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        inner.DeleteAsync(key, cancellationToken);

    public IAsyncEnumerable<ArtifactListItem> ListAsync(string prefix = "", CancellationToken cancellationToken = default) =>
        inner.ListAsync(prefix, cancellationToken);

    public ValueTask<Uri> GetPresignedReadUriAsync(string key, TimeSpan validFor, CancellationToken cancellationToken = default) =>
        inner.GetPresignedReadUriAsync(key, validFor, cancellationToken);
}
