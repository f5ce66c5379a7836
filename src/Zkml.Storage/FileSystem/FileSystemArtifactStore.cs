using System.Buffers;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Zkml.Storage.Diagnostics;

namespace Zkml.Storage.FileSystem;

/// <summary>
/// Artifacts in a local folder, the embedded default store. Each artifact is one file at its key's path holding
/// the content followed by a small trailer (digests, content type, metadata). Puts write a temporary file in
/// the same folder tree, flush it to disk and rename it into place, so readers and concurrent writers only ever
/// see whole artifacts; create-only puts also hold a per-key lock file, which keeps writers in other processes out.
/// </summary>
/// <remarks>
/// A key cannot also be the folder of a longer key (<c>a</c> and <c>a/b</c>), which S3 would allow. Names
/// starting with a dot under the root are the store's own (<c>.tmp</c>, <c>.locks</c>).
/// </remarks>
public sealed class FileSystemArtifactStore : IArtifactStore
{
    private const int BufferSize = 1 << 16;

    private readonly FileSystemArtifactStoreOptions _options;
    private readonly ILogger _logger;
    private readonly string _root;
    private readonly string _tempDirectory;
    private readonly string _lockDirectory;

    /// <summary>Creates a store rooted at <see cref="FileSystemArtifactStoreOptions.RootPath"/>.</summary>
    public FileSystemArtifactStore(FileSystemArtifactStoreOptions options, ILogger<FileSystemArtifactStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.RootPath))
        {
            throw new ArgumentException("RootPath must name a folder.", nameof(options));
        }

        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _root = Path.GetFullPath(options.RootPath);
        _tempDirectory = Path.Combine(_root, ".tmp");
        _lockDirectory = Path.Combine(_root, ".locks");
        try
        {
            Directory.CreateDirectory(_tempDirectory);
            Directory.CreateDirectory(_lockDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"Cannot use '{_root}' as an artifact folder: {ex.Message}", ex);
        }
    }

    /// <summary>Creates a store rooted at <paramref name="rootPath"/>.</summary>
    public FileSystemArtifactStore(string rootPath)
        : this(new FileSystemArtifactStoreOptions { RootPath = rootPath })
    {
    }

    /// <summary>The full path of the root folder.</summary>
    public string RootPath => _root;

    /// <inheritdoc />
    public bool SupportsPresignedUrls => false;

    /// <summary>The file that holds the artifact under <paramref name="key"/> (which need not exist).</summary>
    public string GetPath(string key)
    {
        ArtifactKeys.Validate(key);
        return Path.Combine(_root, key.Replace('/', Path.DirectorySeparatorChar));
    }

    /// <inheritdoc />
    public async ValueTask<ArtifactRef> PutAsync(
        string key, Stream content, ArtifactPutOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var path = GetPath(key);
        ArtifactMetadata.ValidateUserMetadata(key, options?.Metadata);

        Directory.CreateDirectory(_tempDirectory);
        var tempPath = Path.Combine(_tempDirectory, Guid.NewGuid().ToString("N"));
        try
        {
            FileArtifactTrailer trailer;
            await using (var file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None,
                             BufferSize, FileOptions.Asynchronous))
            {
                var (length, sha256) = await CopyAndHashAsync(content, file, options?.Progress, cancellationToken)
                    .ConfigureAwait(false);
                var sha256Hex = Convert.ToHexStringLower(sha256);
                ArtifactMetadata.CheckExpected(key, options?.ExpectedSha256, sha256Hex);
                trailer = new FileArtifactTrailer(length, sha256Hex, ContentId.FromSha256(sha256), options?.ContentType,
                    options?.Metadata is { Count: > 0 } metadata ? new Dictionary<string, string>(metadata) : null);
                try
                {
                    await trailer.WriteAsync(file, cancellationToken).ConfigureAwait(false);
                    await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                    // Durable before it becomes visible: a crash after the rename must not leave a hole in the file.
                    file.Flush(flushToDisk: true);
                }
                catch (IOException ex)
                {
                    throw new StorageException($"Could not write '{key}': {ex.Message}", ex, isTransient: true);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            CreateParentDirectory(key, path);
            if (options?.IfNotExists == true)
            {
                await using var keyLock = await AcquireLockAsync(key, cancellationToken).ConfigureAwait(false);
                if (File.Exists(path))
                {
                    throw new ArtifactAlreadyExistsException(key);
                }

                MoveIntoPlace(key, tempPath, path, overwrite: false);
            }
            else
            {
                MoveIntoPlace(key, tempPath, path, overwrite: true);
            }

            StorageLog.Stored(_logger, key, trailer.Size, trailer.Sha256);
            return new ArtifactRef(key, trailer.Size, trailer.Sha256, trailer.Cid, trailer.Sha256);
        }
        finally
        {
            TryDelete(tempPath);
        }
    }

    /// <inheritdoc />
    public async ValueTask<ArtifactContent> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = GetPath(key);
        var file = OpenExisting(key, path) ?? throw new ArtifactNotFoundException(key);
        await using (file.ConfigureAwait(false))
        {
            var properties = await ReadPropertiesAsync(file, key, cancellationToken).ConfigureAwait(false);
            var expected = ArtifactMetadata.ExpectedSha256(key, properties.Ref.Sha256);
            try
            {
                var verified = await ContentSpool.ReadVerifiedAsync(
                        new BoundedReadStream(file, properties.Ref.Size, ownsInner: false), key, expected,
                        properties.Ref.Size, _options.MemorySpoolThreshold, _tempDirectory, cancellationToken)
                    .ConfigureAwait(false);
                return new ArtifactContent(properties, verified);
            }
            catch (ArtifactIntegrityException ex)
            {
                StorageLog.IntegrityFailed(_logger, key, ex.ExpectedSha256, ex.ActualSha256);
                throw;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask<ArtifactProperties?> HeadAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = GetPath(key);
        var file = OpenExisting(key, path);
        if (file is null)
        {
            return null;
        }

        await using (file.ConfigureAwait(false))
        {
            return await ReadPropertiesAsync(file, key, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(File.Exists(GetPath(key)));

    /// <inheritdoc />
    public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var path = GetPath(key);
        if (!File.Exists(path))
        {
            return ValueTask.FromResult(false);
        }

        try
        {
            File.Delete(path);
            return ValueTask.FromResult(true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"Could not delete '{key}': {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ArtifactListItem> ListAsync(
        string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArtifactKeys.ValidatePrefix(prefix);
        // Walk only the deepest folder the prefix fully names.
        var slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? _root : Path.Combine(_root, prefix[..slash].Replace('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(start))
        {
            yield break;
        }

        var keys = new List<string>();
        foreach (var file in Directory.EnumerateFiles(start, "*", SearchOption.AllDirectories))
        {
            var key = Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            if (key.StartsWith(prefix, StringComparison.Ordinal) && ArtifactKeys.TryValidate(key, out _))
            {
                keys.Add(key);
            }
        }

        keys.Sort(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ArtifactListItem? item;
            try
            {
                var properties = await HeadAsync(key, cancellationToken).ConfigureAwait(false);
                item = properties is null
                    ? null
                    : new ArtifactListItem(key, properties.Ref.Size, properties.Ref.ETag, properties.LastModified);
            }
            catch (ArtifactIntegrityException)
            {
                // A damaged file is still listed (reading it reports the damage); its size is the file's.
                var file = new FileInfo(GetPath(key));
                item = file.Exists ? new ArtifactListItem(key, file.Length, null, file.LastWriteTimeUtc) : null;
            }

            if (item is not null)
            {
                yield return item;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<Uri> GetPresignedReadUriAsync(string key, TimeSpan validFor, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The filesystem store has no presigned URLs; serve the file or use an S3 store.");

    private static async Task<ArtifactProperties> ReadPropertiesAsync(FileStream file, string key, CancellationToken cancellationToken)
    {
        var trailer = await FileArtifactTrailer.ReadAsync(file, key, cancellationToken).ConfigureAwait(false);
        return new ArtifactProperties
        {
            Ref = new ArtifactRef(key, trailer.Size, trailer.Sha256, trailer.Cid, trailer.Sha256),
            ContentType = trailer.ContentType,
            Metadata = trailer.Metadata ?? new Dictionary<string, string>(),
            LastModified = File.GetLastWriteTimeUtc(file.SafeFileHandle),
        };
    }

    private static FileStream? OpenExisting(string key, string path)
    {
        try
        {
            // The open handle keeps this version of the file even if a writer renames a new one into place.
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, BufferSize,
                FileOptions.Asynchronous);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException) when (Directory.Exists(path))
        {
            return null;
        }
        catch (IOException ex)
        {
            throw new StorageException($"Could not open '{key}': {ex.Message}", ex, isTransient: true);
        }
    }

    private void CreateParentDirectory(string key, string path)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        }
        catch (IOException ex)
        {
            throw new StorageException(
                $"Cannot store '{key}': part of its path is already an artifact (on the filesystem a key cannot also be a folder).", ex);
        }

        if (Directory.Exists(path))
        {
            throw new StorageException(
                $"Cannot store '{key}': it is the folder of other artifacts (on the filesystem a key cannot also be a folder).");
        }
    }

    private static void MoveIntoPlace(string key, string tempPath, string path, bool overwrite)
    {
        try
        {
            // rename(2) replaces atomically; without overwrite .NET links the new name, which fails if it exists.
            File.Move(tempPath, path, overwrite);
        }
        catch (IOException) when (!overwrite && File.Exists(path))
        {
            throw new ArtifactAlreadyExistsException(key);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StorageException($"Could not store '{key}': {ex.Message}", ex);
        }
    }

    private async Task<FileStream> AcquireLockAsync(string key, CancellationToken cancellationToken)
    {
        // 256 striped lock files: bounded on disk however many keys are written; unrelated keys rarely share one.
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..2] + ".lock";
        var path = Path.Combine(_lockDirectory, name);
        var deadline = DateTime.UtcNow + _options.LockTimeout;
        while (true)
        {
            try
            {
                Directory.CreateDirectory(_lockDirectory);
                // FileShare.None takes an exclusive lock on the file, which other processes' opens respect.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new StorageException(
                        $"Timed out after {_options.LockTimeout} waiting for the write lock on '{key}'.", ex, isTransient: true);
                }

                await Task.Delay(Random.Shared.Next(2, 20), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<(long Length, byte[] Sha256)> CopyAndHashAsync(
        Stream source, Stream destination, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                try
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
                catch (IOException ex)
                {
                    // The source's own errors pass through unchanged; the store's (disk full, I/O error) are the store's.
                    throw new StorageException($"Could not write to the artifact folder: {ex.Message}", ex, isTransient: true);
                }

                total += read;
                progress?.Report(total);
            }

            return (total, hash.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary file is harmless: it is never visible as an artifact.
        }
    }
}
