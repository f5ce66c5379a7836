using System.Buffers;
using System.Security.Cryptography;

namespace Zkml.Storage;

/// <summary>
/// Content held where it can be read again (the caller's seekable stream, a memory buffer or a temporary file),
/// with its length and sha256 known. Uploads spool first so the digest can go into the key and the metadata
/// before the first byte is sent, and so parts can be re-sent on retry; reads spool so that bytes are checked
/// before the caller sees any of them.
/// </summary>
internal sealed class ContentSpool : IDisposable, IAsyncDisposable
{
    private const int CopyBufferSize = 81920;

    private readonly Stream _stream;
    private readonly bool _ownsStream;

    private ContentSpool(Stream stream, bool ownsStream, long offset, long length, byte[] sha256)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        Offset = offset;
        Length = length;
        Sha256 = sha256;
    }

    /// <summary>Where the content starts in <see cref="Stream"/>.</summary>
    public long Offset { get; }

    /// <summary>The content length in bytes.</summary>
    public long Length { get; }

    /// <summary>The sha256 digest of the content.</summary>
    public byte[] Sha256 { get; }

    /// <summary>The sha256 digest as lower-case hex.</summary>
    public string Sha256Hex => Convert.ToHexStringLower(Sha256);

    /// <summary>The CIDv1 of the content.</summary>
    public string Cid => ContentId.FromSha256(Sha256);

    /// <summary>The content, readable from <see cref="Offset"/>; positioned there after <see cref="Rewind"/>.</summary>
    public Stream Stream => _stream;

    /// <summary>Positions <see cref="Stream"/> at the start of the content.</summary>
    public void Rewind() => _stream.Position = Offset;

    /// <summary>
    /// Hashes <paramref name="source"/> to its end. A seekable source is read twice (hashed now, rewound for the
    /// upload) rather than copied; anything else is copied into memory up to <paramref name="memoryThreshold"/>
    /// bytes and into a temporary file beyond that.
    /// </summary>
    public static async Task<ContentSpool> CreateAsync(
        Stream source, int memoryThreshold, string tempDirectory, CancellationToken cancellationToken)
    {
        if (source.CanSeek)
        {
            var start = source.Position;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var length = await CopyAndHashAsync(source, null, hash, cancellationToken).ConfigureAwait(false);
            source.Position = start;
            return new ContentSpool(source, ownsStream: false, start, length, hash.GetHashAndReset());
        }

        var (spool, len, digest) = await CopyToSpoolAsync(source, memoryThreshold, tempDirectory, cancellationToken)
            .ConfigureAwait(false);
        return new ContentSpool(spool, ownsStream: true, 0, len, digest);
    }

    /// <summary>
    /// Copies <paramref name="source"/> into a spool while hashing it, then checks the digest against
    /// <paramref name="expectedSha256Hex"/>. On a mismatch the spool is dropped and
    /// <see cref="ArtifactIntegrityException"/> thrown, so the bytes never reach the caller.
    /// </summary>
    public static async Task<Stream> ReadVerifiedAsync(
        Stream source,
        string key,
        string expectedSha256Hex,
        long? expectedLength,
        int memoryThreshold,
        string tempDirectory,
        CancellationToken cancellationToken)
    {
        var (spool, length, digest) = await CopyToSpoolAsync(source, memoryThreshold, tempDirectory, cancellationToken,
            expectedLength is > 0 and var size && size <= memoryThreshold ? (int)size : 0).ConfigureAwait(false);
        var actual = Convert.ToHexStringLower(digest);
        if (!string.Equals(actual, expectedSha256Hex, StringComparison.OrdinalIgnoreCase))
        {
            await spool.DisposeAsync().ConfigureAwait(false);
            throw new ArtifactIntegrityException(key, expectedSha256Hex, actual,
                $"Artifact '{key}' is corrupt: its bytes hash to {actual}, but {expectedSha256Hex} was recorded when it was stored.");
        }

        if (expectedLength is { } expected && expected != length)
        {
            await spool.DisposeAsync().ConfigureAwait(false);
            throw new ArtifactIntegrityException(key, expectedSha256Hex, actual,
                $"Artifact '{key}' is {length} bytes, but {expected} were recorded.");
        }

        spool.Position = 0;
        return spool;
    }

    public void Dispose()
    {
        if (_ownsStream)
        {
            _stream.Dispose();
        }
    }

    public ValueTask DisposeAsync() => _ownsStream ? _stream.DisposeAsync() : ValueTask.CompletedTask;

    private static async Task<(Stream Spool, long Length, byte[] Sha256)> CopyToSpoolAsync(
        Stream source, int memoryThreshold, string tempDirectory, CancellationToken cancellationToken, int capacity = 0)
    {
        Stream spool = new MemoryStream(capacity);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
            long length = 0;
            try
            {
                int read;
                while ((read = await source.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken)
                           .ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    if (spool is MemoryStream memory && memory.Length + read > memoryThreshold)
                    {
                        spool = await MoveToTempFileAsync(memory, tempDirectory, cancellationToken).ConfigureAwait(false);
                    }

                    await spool.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    length += read;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            spool.Position = 0;
            return (spool, length, hash.GetHashAndReset());
        }
        catch
        {
            await spool.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<Stream> MoveToTempFileAsync(
        MemoryStream memory, string tempDirectory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(tempDirectory);
        var path = Path.Combine(tempDirectory, "spool-" + Guid.NewGuid().ToString("N"));
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            memory.Position = 0;
            await memory.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
            return file;
        }
        catch
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            await memory.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<long> CopyAndHashAsync(
        Stream source, Stream? destination, IncrementalHash hash, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            long total = 0;
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, CopyBufferSize), cancellationToken)
                       .ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                if (destination is not null)
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }

                total += read;
            }

            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
