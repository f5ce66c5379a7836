using System.Buffers.Binary;

namespace Zkml.Ezkl;

/// <summary>
/// A KZG structured reference string (ezkl's "params", halo2's RawBytes layout): <c>u32 k</c>, 2^k powers of
/// tau in G1, 2^k Lagrange basis points in G1, then two G2 points. The engine needs <see cref="Logrows"/> to equal
/// the circuit's <c>run_args.logrows</c>.
/// </summary>
public sealed class Srs : EzklArtifact
{
    /// <summary>Bytes of one G1 point (two 32-byte coordinates).</summary>
    public const int G1PointLength = 64;

    /// <summary>Bytes of one G2 point (four 32-byte coordinates).</summary>
    public const int G2PointLength = 128;

    /// <summary>The largest k whose file still fits in one .NET array.</summary>
    public const int MaxLogrows = 23;

    private Srs(byte[] bytes, int logrows)
        : base(bytes)
    {
        Logrows = logrows;
    }

    /// <inheritdoc />
    public override ArtifactKind Kind => ArtifactKind.Srs;

    /// <summary>k: the SRS holds 2^k powers.</summary>
    public int Logrows { get; }

    /// <summary>2^k, the number of G1 powers (and of Lagrange points).</summary>
    public long PointCount => 1L << Logrows;

    /// <summary>The file size of an SRS with the given k: 4 + 2·64·2^k + 2·128.</summary>
    public static long ExpectedLength(int logrows) => 4 + (2L * G1PointLength << logrows) + 2 * G2PointLength;

    /// <summary>Wraps SRS bytes (copied) after checking the header and the length.</summary>
    /// <exception cref="EzklInvalidArtifactException">The header or length is wrong.</exception>
    public static Srs FromBytes(ReadOnlySpan<byte> bytes) => Create(bytes.ToArray());

    /// <summary>Reads an SRS file (for example ezkl's <c>kzg</c> or a public <c>kzg{k}.srs</c>).</summary>
    public static Srs Load(string path) => Create(ArtifactFiles.Read(path));

    /// <summary>Reads an SRS file.</summary>
    public static async Task<Srs> LoadAsync(string path, CancellationToken cancellationToken = default) =>
        Create(await ArtifactFiles.ReadAsync(path, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads an SRS from a stream (to its end).</summary>
    public static async Task<Srs> ReadAsync(Stream stream, CancellationToken cancellationToken = default) =>
        Create(await ArtifactFiles.ReadAsync(stream, cancellationToken).ConfigureAwait(false));

    /// <summary>Takes ownership of bytes built by the SRS generator (no copy); checked like any other SRS.</summary>
    internal static Srs FromOwnedBytes(byte[] bytes) => Create(bytes);

    private static Srs Create(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            throw ArtifactFiles.Invalid(ArtifactKind.Srs, "the file is empty");
        }

        if (bytes.Length < 4)
        {
            throw ArtifactFiles.Invalid(ArtifactKind.Srs, $"{bytes.Length} bytes is too short for the header");
        }

        var k = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        if (k is < 1 or > MaxLogrows)
        {
            throw ArtifactFiles.Invalid(ArtifactKind.Srs, $"header k = {k} is outside [1, {MaxLogrows}]");
        }

        var expected = ExpectedLength((int)k);
        if (bytes.Length != expected)
        {
            throw ArtifactFiles.Invalid(
                ArtifactKind.Srs,
                $"an SRS with k = {k} has {expected} bytes, this one has {bytes.Length} (truncated, or not in RawBytes layout with Lagrange points)");
        }

        return new Srs(bytes, (int)k);
    }
}
