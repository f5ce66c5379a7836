using System.Security.Cryptography;

namespace Zkml.Ezkl;

/// <summary>
/// The common shape of every ezkl artifact: the exact bytes of the file, as the engine reads and writes them.
/// Artifacts are immutable; the bytes handed to the engine are the bytes that were loaded.
/// </summary>
public abstract class EzklArtifact
{
    private readonly byte[] _bytes;
    private string? _sha256;

    private protected EzklArtifact(byte[] bytes)
    {
        _bytes = bytes;
    }

    /// <summary>Which kind of artifact this is.</summary>
    public abstract ArtifactKind Kind { get; }

    /// <summary>The artifact's bytes, exactly as they are stored in its file.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>The size of the artifact in bytes.</summary>
    public int Length => _bytes.Length;

    /// <summary>The lowercase hex sha256 of <see cref="Bytes"/>.</summary>
    public string Sha256 => _sha256 ??= Convert.ToHexStringLower(SHA256.HashData(_bytes));

    /// <summary>The bytes without copying, for the engine host (never handed out: artifacts are immutable).</summary>
    internal byte[] RawBytes => _bytes;

    /// <summary>Returns a copy of the artifact's bytes.</summary>
    public byte[] ToArray() => (byte[])_bytes.Clone();

    /// <summary>Writes the artifact to a stream.</summary>
    public ValueTask WriteToAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream.WriteAsync(_bytes, cancellationToken);
    }

    /// <summary>
    /// Writes the artifact to a file, atomically: the bytes go to a temporary file in the same folder that then
    /// replaces <paramref name="path"/>, so a reader never sees a half-written file.
    /// </summary>
    public async Task SaveAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        await ArtifactFiles.WriteAtomicallyAsync(path, _bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the artifact to a file atomically (see <see cref="SaveAsync"/>).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArtifactFiles.WriteAtomically(path, _bytes);
    }
}
