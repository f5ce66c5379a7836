using System.Buffers.Binary;
using Zkml.Ezkl.Bn254;
using Fq = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FqModulus>;
using Fr = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FrModulus>;

namespace Zkml.Ezkl;

/// <summary>
/// KZG parameters (<see cref="Srs"/>) in C#: generate an UNSAFE development SRS, validate an SRS, and cut a
/// smaller SRS from a larger one (downsizing). Public ceremony files come from <see cref="PublicSrsClient"/>.
/// </summary>
public static class KzgSrs
{
    /// <summary>The largest k of a generated SRS file: Fr has roots of unity of order up to 2^28.</summary>
    public const int MaxFileLogrows = SrsFormat.MaxLogRows;

    /// <summary>
    /// Generates an UNSAFE SRS for development and tests from a random tau. The tau exists in this process's
    /// memory while it runs, so whoever controls the process could forge proofs: never use it in production;
    /// use the public ceremony (<see cref="PublicSrsClient"/>) there. The work is spread over all cores.
    /// </summary>
    /// <param name="logrows">k: the SRS holds 2^k points (1 to <see cref="Srs.MaxLogrows"/>).</param>
    /// <param name="progress">Receives points completed per stage.</param>
    /// <param name="cancellationToken">Stops the work between chunks.</param>
    public static async Task<Srs> GenerateUnsafeAsync(int logrows, IProgress<SrsProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(logrows, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(logrows, Srs.MaxLogrows);
        byte[] bytes = await GenerateBytesAsync(logrows, SrsGeneration.RandomTau(), Curves.FrMultiplicativeGenerator, progress, cancellationToken).ConfigureAwait(false);
        return Srs.FromOwnedBytes(bytes);
    }

    /// <summary>
    /// Generates an UNSAFE development SRS (see <see cref="GenerateUnsafeAsync"/>) straight into a file,
    /// with memory independent of k; the file appears only when complete.
    /// </summary>
    /// <param name="path">The file to write (replaced if it exists).</param>
    /// <param name="logrows">k: the SRS holds 2^k points (1 to <see cref="MaxFileLogrows"/>).</param>
    /// <param name="progress">Receives points completed per stage.</param>
    /// <param name="cancellationToken">Stops the work between chunks; no file is left behind.</param>
    public static async Task GenerateUnsafeFileAsync(string path, int logrows, IProgress<SrsProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(logrows, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(logrows, MaxFileLogrows);
        await WriteFileAtomicallyAsync(
            path,
            stream => SrsGeneration.WriteAsync(stream, logrows, SrsGeneration.RandomTau(), Curves.RootOfUnity(logrows), progress, cancellationToken),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks an SRS (see <see cref="SrsValidation"/>) and returns its k.</summary>
    /// <exception cref="EzklInvalidArtifactException">The SRS is malformed; the message says where.</exception>
    public static Task<int> ValidateAsync(Srs srs, SrsValidation validation = SrsValidation.Structure, IProgress<SrsProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(srs);

        // Reads from memory complete synchronously: run the whole check on the thread pool, not the caller's thread.
        return Task.Run(() => ValidateStreamAsync(new MemoryStream(srs.RawBytes, writable: false), validation, progress, cancellationToken), cancellationToken);
    }

    /// <summary>Checks an SRS file while streaming it (see <see cref="SrsValidation"/>) and returns its k.</summary>
    /// <exception cref="EzklInvalidArtifactException">The SRS is malformed; the message says where.</exception>
    public static async Task<int> ValidateFileAsync(string path, SrsValidation validation = SrsValidation.Structure, IProgress<SrsProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        await using FileStream stream = OpenRead(path);
        return await Task.Run(() => ValidateStreamAsync(stream, validation, progress, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Cuts an SRS with k = <paramref name="logrows"/> from a larger one: the first 2^logrows powers, a
    /// Lagrange basis recomputed for the smaller domain, the same G2 points. Returns <paramref name="srs"/>
    /// itself when it already has that k.
    /// </summary>
    /// <exception cref="EzklInvalidArtifactException">The SRS is malformed or smaller than <paramref name="logrows"/>.</exception>
    public static async Task<Srs> DownsizeAsync(Srs srs, int logrows, IProgress<SrsProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(srs);
        if (srs.Logrows == logrows)
        {
            return srs;
        }

        return await Task.Run(() => DownsizeStreamAsync(new MemoryStream(srs.RawBytes, writable: false), logrows, progress, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Loads an SRS for a circuit with <paramref name="logrows"/> from a file of that k or larger (a larger
    /// one is downsized on the fly, reading only its first 2^logrows powers and its G2 points). A file whose k is
    /// already <paramref name="logrows"/> is returned as is, checked like <see cref="Srs.LoadAsync"/>.
    /// </summary>
    /// <param name="path">The SRS file.</param>
    /// <param name="logrows">The circuit's logrows.</param>
    /// <param name="downsizedCacheDirectory">
    /// A folder where downsized results are kept (named by the sha256 of the powers and G2 points they come
    /// from, and checked when read back), so the next call for the same file and k skips the work; null for none.
    /// </param>
    /// <param name="progress">Receives Lagrange-basis progress while downsizing.</param>
    /// <param name="cancellationToken">Stops the work.</param>
    /// <exception cref="EzklInvalidArtifactException">The file is malformed or its k is below <paramref name="logrows"/>.</exception>
    public static async Task<Srs> LoadForLogrowsAsync(string path, int logrows, string? downsizedCacheDirectory = null, IProgress<SrsProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(logrows, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(logrows, Srs.MaxLogrows);
        await using FileStream stream = OpenRead(path);
        byte[] header = new byte[SrsFormat.HeaderLength];
        int read = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        stream.Position = 0;
        if (read == header.Length && BinaryPrimitives.ReadUInt32LittleEndian(header) == (uint)logrows)
        {
            // Already the right size: take the file as is (length-checked) instead of decoding every point.
            return await Srs.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
        }

        return await Task.Run(() => DownsizeStreamAsync(stream, logrows, progress, cancellationToken, downsizedCacheDirectory), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Generates SRS bytes from a given tau and root-of-unity generator (tests build deliberately wrong files with it).</summary>
    internal static async Task<byte[]> GenerateBytesAsync(int logrows, Fr tau, ulong rootGenerator, IProgress<SrsProgress>? progress, CancellationToken cancellationToken)
    {
        byte[] bytes = new byte[SrsFormat.FileLength(logrows)];
        using var stream = new MemoryStream(bytes, writable: true);
        await SrsGeneration.WriteAsync(stream, logrows, tau, Curves.RootOfUnity(logrows, rootGenerator), progress, cancellationToken).ConfigureAwait(false);
        return bytes;
    }

    internal static async Task<int> ValidateStreamAsync(Stream stream, SrsValidation validation, IProgress<SrsProgress>? progress, CancellationToken cancellationToken)
    {
        SrsStreamReader reader = await SrsStreamReader.OpenAsync(stream, cancellationToken).ConfigureAwait(false);
        int k = reader.Logrows;
        long n = reader.PointCount;
        long total = 2 * n;
        if (validation == SrsValidation.Full && k > Srs.MaxLogrows)
        {
            throw new ArgumentOutOfRangeException(nameof(validation), $"full validation holds every point in memory; k = {k} is too large for it");
        }

        AffinePoint<Fq>[]? allPowers = validation == SrsValidation.Full ? new AffinePoint<Fq>[n] : null;
        var chunk = new AffinePoint<Fq>[(int)Math.Min(n, 1 << 14)];
        progress?.Report(new SrsProgress(SrsStage.Validating, 0, total));
        for (long start = 0; start < n; start += chunk.Length)
        {
            int count = (int)Math.Min(chunk.Length, n - start);
            Memory<AffinePoint<Fq>> target = allPowers is null ? chunk.AsMemory(0, count) : allPowers.AsMemory((int)start, count);
            await reader.ReadG1Async(target, "g", start, cancellationToken).ConfigureAwait(false);
            if (start == 0 && !target.Span[0].Equals(Curves.G1Generator))
            {
                throw SrsStreamReader.Invalid("SRS g[0] is not the G1 generator (1, 2)");
            }

            progress?.Report(new SrsProgress(SrsStage.Validating, start + count, total));
        }

        AffinePoint<Fq>[]? expectedLagrange = allPowers is null
            ? null
            : await Task.Run(() => SrsLagrange.FromPowers(allPowers, Curves.RootOfUnity(k), null, cancellationToken), cancellationToken).ConfigureAwait(false);

        JacobianPoint<Fq> sum = JacobianPoint<Fq>.Infinity;
        for (long start = 0; start < n; start += chunk.Length)
        {
            int count = (int)Math.Min(chunk.Length, n - start);
            await reader.ReadG1Async(chunk.AsMemory(0, count), "g_lagrange", start, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < count; i++)
            {
                sum = sum.Add(chunk[i]);
                if (expectedLagrange is not null && !chunk[i].Equals(expectedLagrange[start + i]))
                {
                    throw SrsStreamReader.Invalid(
                        $"SRS g_lagrange[{start + i}] differs from the Lagrange point computed from the powers with halo2's root of unity (a wrong domain or a tampered point)");
                }
            }

            progress?.Report(new SrsProgress(SrsStage.Validating, n + start + count, total));
        }

        if (!sum.EqualsPoint(Curves.G1Generator.ToJacobian()))
        {
            throw SrsStreamReader.Invalid("SRS Lagrange points do not sum to the G1 generator (sum of L_i(tau) must be 1): a Lagrange point is tampered or corrupt");
        }

        await ReadG2PairAsync(reader, cancellationToken).ConfigureAwait(false);
        await reader.EnsureEndAsync(cancellationToken).ConfigureAwait(false);
        return k;
    }

    internal static async Task<Srs> DownsizeStreamAsync(Stream stream, int logrows, IProgress<SrsProgress>? progress, CancellationToken cancellationToken, string? cacheDirectory = null)
    {
        SrsStreamReader reader = await SrsStreamReader.OpenAsync(stream, cancellationToken).ConfigureAwait(false);
        int k = reader.Logrows;
        if (k < logrows)
        {
            throw SrsStreamReader.Invalid($"the SRS has k = {k}, smaller than the {logrows} needed; use an SRS with k >= {logrows}");
        }

        long n = reader.PointCount;
        int m = 1 << logrows;
        var powers = new AffinePoint<Fq>[m];
        await reader.ReadG1Async(powers, "g", 0, cancellationToken).ConfigureAwait(false);
        if (!powers[0].Equals(Curves.G1Generator))
        {
            throw SrsStreamReader.Invalid("SRS g[0] is not the G1 generator (1, 2)");
        }

        AffinePoint<Fq>[]? lagrange = null;
        if (k == logrows)
        {
            lagrange = new AffinePoint<Fq>[m];
            await reader.ReadG1Async(lagrange, "g_lagrange", 0, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await reader.SkipAsync(((n - m) + n) * SrsFormat.G1Length, cancellationToken).ConfigureAwait(false);
        }

        (AffinePoint<Fq2> g2, AffinePoint<Fq2> sG2) = await ReadG2PairAsync(reader, cancellationToken).ConfigureAwait(false);
        if (k == logrows)
        {
            await reader.EnsureEndAsync(cancellationToken).ConfigureAwait(false);
        }

        byte[] bytes = new byte[SrsFormat.FileLength(logrows)];
        int lagrangeOffset = (int)SrsFormat.LagrangeOffset(logrows);
        int g2Offset = (int)SrsFormat.G2Offset(logrows);
        SrsFormat.WriteHeader(bytes, logrows);
        SrsFormat.WriteG1Run(bytes.AsSpan((int)SrsFormat.PowersOffset, m * SrsFormat.G1Length), powers);
        SrsFormat.WriteG2(bytes.AsSpan(g2Offset, SrsFormat.G2Length), g2);
        SrsFormat.WriteG2(bytes.AsSpan(g2Offset + SrsFormat.G2Length, SrsFormat.G2Length), sG2);
        if (lagrange is not null)
        {
            SrsFormat.WriteG1Run(bytes.AsSpan(lagrangeOffset, m * SrsFormat.G1Length), lagrange);
            return Srs.FromOwnedBytes(bytes);
        }

        // The result depends only on the powers kept and the G2 points: that is the cache key.
        string? cachePath = cacheDirectory is null ? null : Path.Combine(cacheDirectory, $"kzg{logrows}-{DownsizeKey(bytes, lagrangeOffset, g2Offset)}.srs");
        if (cachePath is not null && await TryReadCachedDownsizeAsync(cachePath, bytes, lagrangeOffset, g2Offset, cancellationToken).ConfigureAwait(false))
        {
            return Srs.FromOwnedBytes(bytes);
        }

        long work = ((long)(m / 2) * logrows) + m;
        long done = 0;
        progress?.Report(new SrsProgress(SrsStage.LagrangeBasis, 0, work));
        lagrange = await Task.Run(
            () => SrsLagrange.FromPowers(
                powers,
                Curves.RootOfUnity(logrows),
                butterflies => progress?.Report(new SrsProgress(SrsStage.LagrangeBasis, Interlocked.Add(ref done, butterflies), work)),
                cancellationToken),
            cancellationToken).ConfigureAwait(false);
        progress?.Report(new SrsProgress(SrsStage.LagrangeBasis, work, work));
        SrsFormat.WriteG1Run(bytes.AsSpan(lagrangeOffset, m * SrsFormat.G1Length), lagrange);

        if (cachePath is not null)
        {
            try
            {
                await WriteFileAtomicallyAsync(cachePath, destination => destination.WriteAsync(bytes, cancellationToken).AsTask(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A cache that cannot be written only costs the next caller the same computation.
            }
        }

        return Srs.FromOwnedBytes(bytes);
    }

    private static string DownsizeKey(byte[] bytes, int lagrangeOffset, int g2Offset)
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        hash.AppendData(bytes, 0, lagrangeOffset);
        hash.AppendData(bytes, g2Offset, bytes.Length - g2Offset);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// Fills the Lagrange section from a cached downsized file when that file has the same powers and G2 points
    /// and passes the structural checks (including the Lagrange points summing to g[0]); false otherwise.
    /// </summary>
    private static async Task<bool> TryReadCachedDownsizeAsync(string cachePath, byte[] bytes, int lagrangeOffset, int g2Offset, CancellationToken cancellationToken)
    {
        byte[] cached;
        try
        {
            if (!File.Exists(cachePath))
            {
                return false;
            }

            cached = await File.ReadAllBytesAsync(cachePath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        if (cached.Length != bytes.Length
            || !cached.AsSpan(0, lagrangeOffset).SequenceEqual(bytes.AsSpan(0, lagrangeOffset))
            || !cached.AsSpan(g2Offset).SequenceEqual(bytes.AsSpan(g2Offset)))
        {
            return false;
        }

        try
        {
            await ValidateStreamAsync(new MemoryStream(cached, writable: false), SrsValidation.Structure, null, cancellationToken).ConfigureAwait(false);
        }
        catch (EzklInvalidArtifactException)
        {
            return false;
        }

        cached.AsSpan(lagrangeOffset, g2Offset - lagrangeOffset).CopyTo(bytes.AsSpan(lagrangeOffset));
        return true;
    }

    private static async Task<(AffinePoint<Fq2> G2, AffinePoint<Fq2> TauG2)> ReadG2PairAsync(SrsStreamReader reader, CancellationToken cancellationToken)
    {
        AffinePoint<Fq2> g2 = await reader.ReadG2Async("g2", cancellationToken).ConfigureAwait(false);
        if (!g2.Equals(Curves.G2Generator))
        {
            throw SrsStreamReader.Invalid("SRS g2 is not the G2 generator");
        }

        AffinePoint<Fq2> sG2 = await reader.ReadG2Async("s_g2", cancellationToken).ConfigureAwait(false);
        if (sG2.IsInfinity || !sG2.ToJacobian().Multiply(Curves.Order).IsInfinity)
        {
            throw SrsStreamReader.Invalid("SRS s_g2 = [tau]G2 is not a non-trivial point of the G2 subgroup");
        }

        return (g2, sG2);
    }

    private static FileStream OpenRead(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw SrsStreamReader.Invalid($"cannot read the SRS file {path}: {e.Message}", e);
        }
    }

    /// <summary>Writes through a temporary file in the same folder, then moves it over <paramref name="path"/>.</summary>
    internal static async Task WriteFileAtomicallyAsync(string path, Func<Stream, Task> write, CancellationToken cancellationToken)
    {
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, "." + Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                await write(stream).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
