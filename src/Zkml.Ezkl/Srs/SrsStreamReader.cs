using System.Buffers.Binary;
using Zkml.Ezkl.Bn254;
using Fq = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FqModulus>;

namespace Zkml.Ezkl;

/// <summary>
/// Reads an SRS in RawBytes layout front to back without holding it whole, checking each point as it
/// goes: every coordinate below q (as halo2 does), and, beyond halo2, every point on its curve.
/// Errors name the section, the point index and the byte offset.
/// </summary>
internal sealed class SrsStreamReader
{
    private const int BufferPoints = 1 << 12;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[BufferPoints * SrsFormat.G1Length];
    private long _position;

    private SrsStreamReader(Stream stream, int logrows)
    {
        _stream = stream;
        Logrows = logrows;
        _position = SrsFormat.HeaderLength;
    }

    public int Logrows { get; }

    public long PointCount => SrsFormat.PointCount(Logrows);

    /// <summary>Reads and checks the header (and the length, when the stream knows it).</summary>
    public static async Task<SrsStreamReader> OpenAsync(Stream stream, CancellationToken cancellationToken)
    {
        byte[] header = new byte[SrsFormat.HeaderLength];
        int read = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < header.Length)
        {
            throw Invalid(read == 0 ? "the SRS is empty" : $"the SRS has {read} bytes, too short for its 4-byte header");
        }

        uint k = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (k is < 1 or > SrsFormat.MaxLogRows)
        {
            throw Invalid($"the SRS header says k = {k}, outside [1, {SrsFormat.MaxLogRows}] (not a RawBytes KZG SRS?)");
        }

        if (stream.CanSeek)
        {
            long expected = SrsFormat.FileLength((int)k);
            long actual = stream.Length - stream.Position + SrsFormat.HeaderLength;
            if (actual != expected)
            {
                throw Invalid($"an SRS with k = {k} has {expected} bytes, this one has {actual} (truncated, extended, or not in RawBytes layout with Lagrange points)");
            }
        }

        return new SrsStreamReader(stream, (int)k);
    }

    /// <summary>Reads <paramref name="destination"/>.Length G1 points of a section, checking each.</summary>
    public async Task ReadG1Async(Memory<AffinePoint<Fq>> destination, string section, long firstIndex, CancellationToken cancellationToken)
    {
        int done = 0;
        while (done < destination.Length)
        {
            int count = Math.Min(BufferPoints, destination.Length - done);
            long offset = _position;
            await FillAsync(count * SrsFormat.G1Length, cancellationToken).ConfigureAwait(false);
            DecodeG1(_buffer.AsSpan(0, count * SrsFormat.G1Length), destination.Span.Slice(done, count), section, firstIndex + done, offset);
            done += count;
        }
    }

    /// <summary>Reads and checks one G2 point.</summary>
    public async Task<AffinePoint<Fq2>> ReadG2Async(string name, CancellationToken cancellationToken)
    {
        long offset = _position;
        await FillAsync(SrsFormat.G2Length, cancellationToken).ConfigureAwait(false);
        if (!SrsFormat.TryReadG2(_buffer, out AffinePoint<Fq2> point))
        {
            throw Invalid($"SRS {name} (byte offset {offset}): a coordinate is not below the base field modulus");
        }

        if (!point.IsOnCurve(Curves.G2B))
        {
            throw Invalid($"SRS {name} (byte offset {offset}) is not a point of the G2 curve");
        }

        return point;
    }

    /// <summary>Skips bytes (seeking when possible).</summary>
    public async Task SkipAsync(long bytes, CancellationToken cancellationToken)
    {
        if (_stream.CanSeek)
        {
            _stream.Seek(bytes, SeekOrigin.Current);
            _position += bytes;
            return;
        }

        while (bytes > 0)
        {
            int count = (int)Math.Min(_buffer.Length, bytes);
            await FillAsync(count, cancellationToken).ConfigureAwait(false);
            bytes -= count;
        }
    }

    /// <summary>Fails when bytes remain after the last G2 point.</summary>
    public async Task EnsureEndAsync(CancellationToken cancellationToken)
    {
        int extra = await _stream.ReadAtLeastAsync(_buffer.AsMemory(0, 1), 1, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (extra != 0)
        {
            throw Invalid($"the SRS has bytes after its last point (a k = {Logrows} SRS has {SrsFormat.FileLength(Logrows)} bytes)");
        }
    }

    internal static EzklInvalidArtifactException Invalid(string message, Exception? inner = null) =>
        new(ArtifactKind.Srs, message, inner);

    private void DecodeG1(ReadOnlySpan<byte> bytes, Span<AffinePoint<Fq>> destination, string section, long firstIndex, long firstOffset)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            ReadOnlySpan<byte> raw = bytes.Slice(i * SrsFormat.G1Length, SrsFormat.G1Length);
            if (!SrsFormat.TryReadG1(raw, out AffinePoint<Fq> point))
            {
                throw Invalid($"SRS {section}[{firstIndex + i}] (byte offset {firstOffset + ((long)i * SrsFormat.G1Length)}): a coordinate is not below the base field modulus");
            }

            if (!point.IsOnCurve(Curves.G1B))
            {
                throw Invalid($"SRS {section}[{firstIndex + i}] (byte offset {firstOffset + ((long)i * SrsFormat.G1Length)}) is not a point of the G1 curve");
            }

            destination[i] = point;
        }
    }

    private async Task FillAsync(int count, CancellationToken cancellationToken)
    {
        int read = await _stream.ReadAtLeastAsync(_buffer.AsMemory(0, count), count, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < count)
        {
            throw Invalid($"the SRS ends at byte {_position + read}; a k = {Logrows} SRS has {SrsFormat.FileLength(Logrows)} bytes");
        }

        _position += count;
    }
}
