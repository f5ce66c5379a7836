// TEMPORARY: mirrors the engine branch's Milestone 1 types until it is merged; deleted at the merge.
#pragma warning disable CS1591
using System.Buffers.Binary;

namespace Zkml.Ezkl;

public class EzklException : Exception
{
    public EzklException(string message) : base(message) { }
    public EzklException(string message, Exception? innerException) : base(message, innerException) { }
    public virtual bool IsTransient => false;
}

public enum ArtifactKind { Srs }

public class EzklInvalidArtifactException : EzklException
{
    public EzklInvalidArtifactException(ArtifactKind artifactKind, string message, Exception? innerException = null)
        : base(message, innerException) => ArtifactKind = artifactKind;
    public ArtifactKind ArtifactKind { get; }
}

public sealed class Srs
{
    public const int MaxLogrows = 23;
    private readonly byte[] _bytes;
    private Srs(byte[] bytes, int logrows) { _bytes = bytes; Logrows = logrows; }
    public int Logrows { get; }
    public ReadOnlyMemory<byte> Bytes => _bytes;
    internal byte[] RawBytes => _bytes;
    public static long ExpectedLength(int logrows) => 4 + (2L * 64 << logrows) + 2 * 128;
    public static Srs FromBytes(ReadOnlySpan<byte> bytes) => FromOwnedBytes(bytes.ToArray());
    public static async Task<Srs> LoadAsync(string path, CancellationToken cancellationToken = default) =>
        FromOwnedBytes(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false));
    public Task SaveAsync(string path, CancellationToken cancellationToken = default) => File.WriteAllBytesAsync(path, _bytes, cancellationToken);
    internal static Srs FromOwnedBytes(byte[] bytes)
    {
        var k = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        if (k is < 1 or > MaxLogrows || bytes.Length != ExpectedLength((int)k))
        {
            throw new EzklInvalidArtifactException(ArtifactKind.Srs, "bad srs");
        }

        return new Srs(bytes, (int)k);
    }
}
