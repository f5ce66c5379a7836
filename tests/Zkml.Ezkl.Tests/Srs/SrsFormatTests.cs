using System.Security.Cryptography;
using Zkml.Ezkl.Bn254;
using Fq = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FqModulus>;

namespace Zkml.Ezkl.Tests.SrsTests;

/// <summary>The RawBytes SRS writer, generator and validating reader, against the fixtures and the reference generator.</summary>
public sealed class SrsFormatTests
{
    [Fact]
    public async Task Generated_srs_for_a_known_tau_matches_the_reference_generator_byte_for_byte()
    {
        // sha256 of `srs_gen.py 3 out 123456789` (the design notes' generator, whose files the engine proved and verified with).
        byte[] bytes = await SrsTestData.FromTauAsync(3, 123456789);
        Assert.Equal(4 + (128 * 8) + 256, bytes.Length);
        Assert.Equal("bb673122616c7483d6f6234045cb32d400c9d739ac16b3ae9add702d624b3c62", Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    [Fact]
    public async Task Fixture_kzg_passes_full_validation_as_k_6()
    {
        Srs srs = await Srs.LoadAsync(SrsTestData.FixtureKzg);
        Assert.Equal(6, await KzgSrs.ValidateAsync(srs, SrsValidation.Full));
    }

    [Fact]
    public async Task Fixture_kzg_starts_with_the_generators()
    {
        byte[] bytes = await File.ReadAllBytesAsync(SrsTestData.FixtureKzg);
        Assert.True(SrsFormat.TryReadG1(bytes.AsSpan(4), out AffinePoint<Fq> g0));
        Assert.Equal(Curves.G1Generator, g0);
        Assert.True(SrsFormat.TryReadG2(bytes.AsSpan((int)SrsFormat.G2Offset(6)), out AffinePoint<Fq2> g2));
        Assert.Equal(Curves.G2Generator, g2);
    }

    [Fact]
    public async Task Lagrange_points_computed_from_the_fixture_powers_equal_the_fixture_bytes()
    {
        byte[] bytes = await File.ReadAllBytesAsync(SrsTestData.FixtureKzg);
        const int k = 6, n = 1 << k;
        var powers = new AffinePoint<Fq>[n];
        for (int i = 0; i < n; i++)
        {
            Assert.True(SrsFormat.TryReadG1(bytes.AsSpan(4 + (64 * i), 64), out powers[i]));
        }

        AffinePoint<Fq>[] lagrange = SrsLagrange.FromPowers(powers, Curves.RootOfUnity(k), null, CancellationToken.None);
        byte[] written = new byte[n * 64];
        SrsFormat.WriteG1Run(written, lagrange);
        Assert.Equal(bytes.AsSpan((int)SrsFormat.LagrangeOffset(k), n * 64).ToArray(), written);
    }

    [Fact]
    public async Task Public_kzg1_passes_full_validation()
    {
        Assert.Equal(1, await KzgSrs.ValidateFileAsync(SrsTestData.FixtureKzg1, SrsValidation.Full));
    }

    [Fact]
    public async Task Generated_srs_passes_full_validation_and_reports_progress_to_completion()
    {
        var reports = new List<SrsProgress>();
        Srs srs = await KzgSrs.GenerateUnsafeAsync(7, new SynchronousProgress<SrsProgress>(reports.Add));
        Assert.Equal(7, srs.Logrows);
        Assert.Equal(SrsFormat.FileLength(7), srs.Bytes.Length);
        Assert.Equal(7, await KzgSrs.ValidateAsync(srs, SrsValidation.Full));
        Assert.Contains(new SrsProgress(SrsStage.Powers, 128, 128), reports);
        Assert.Contains(new SrsProgress(SrsStage.LagrangeBasis, 128, 128), reports);
    }

    [Fact]
    public async Task Two_generated_srs_use_different_taus()
    {
        Srs a = await KzgSrs.GenerateUnsafeAsync(2);
        Srs b = await KzgSrs.GenerateUnsafeAsync(2);
        Assert.Equal(a.Bytes.Span[..68].ToArray(), b.Bytes.Span[..68].ToArray()); // header and g[0] = generator
        Assert.NotEqual(a.Bytes.ToArray(), b.Bytes.ToArray());
    }

    [Fact]
    public async Task Generating_to_a_file_writes_a_valid_srs_and_leaves_no_temporary_file()
    {
        string dir = Directory.CreateTempSubdirectory("zkml-srs-").FullName;
        try
        {
            string path = Path.Combine(dir, "kzg");
            await KzgSrs.GenerateUnsafeFileAsync(path, 5);
            Assert.Equal(5, await KzgSrs.ValidateFileAsync(path, SrsValidation.Full));
            Assert.Equal(["kzg"], Directory.GetFiles(dir).Select(Path.GetFileName));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Cancelled_generation_to_a_file_leaves_nothing_behind()
    {
        string dir = Directory.CreateTempSubdirectory("zkml-srs-").FullName;
        try
        {
            using var cts = new CancellationTokenSource();
            var progress = new SynchronousProgress<SrsProgress>(p =>
            {
                if (p.Stage == SrsStage.LagrangeBasis)
                {
                    cts.Cancel();
                }
            });
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => KzgSrs.GenerateUnsafeFileAsync(Path.Combine(dir, "kzg"), 10, progress, cts.Token));
            Assert.Empty(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_tampered_lagrange_point_is_rejected_by_the_reader()
    {
        byte[] bytes = await File.ReadAllBytesAsync(SrsTestData.FixtureKzg);
        // Replace g_lagrange[5] by another valid curve point (2G): only the consistency check can see it.
        AffinePoint<Fq> twoG = Curves.G1Generator.ToJacobian().Double().ToAffine();
        SrsFormat.WriteG1(bytes.AsSpan((int)SrsFormat.LagrangeOffset(6) + (5 * 64), 64), twoG);
        var error = await Assert.ThrowsAsync<EzklInvalidArtifactException>(() => KzgSrs.ValidateAsync(Srs.FromBytes(bytes)));
        Assert.Contains("Lagrange", error.Message);
    }

    [Fact]
    public async Task A_flipped_byte_in_a_power_is_rejected_as_off_the_curve()
    {
        byte[] bytes = SrsTestData.WithByteChanged(await File.ReadAllBytesAsync(SrsTestData.FixtureKzg), 4 + (64 * 3) + 10);
        var error = await Assert.ThrowsAsync<EzklInvalidArtifactException>(() => KzgSrs.ValidateAsync(Srs.FromBytes(bytes)));
        Assert.Contains("g[3]", error.Message);
        Assert.Equal(ArtifactKind.Srs, error.ArtifactKind);
    }

    [Fact]
    public async Task A_coordinate_at_or_above_the_modulus_is_rejected()
    {
        byte[] bytes = await File.ReadAllBytesAsync(SrsTestData.FixtureKzg);
        bytes.AsSpan(4 + 64, 32).Fill(0xFF);
        var error = await Assert.ThrowsAsync<EzklInvalidArtifactException>(() => KzgSrs.ValidateAsync(Srs.FromBytes(bytes)));
        Assert.Contains("g[1]", error.Message);
        Assert.Contains("modulus", error.Message);
    }

    [Fact]
    public async Task A_tampered_tau_g2_is_rejected()
    {
        byte[] bytes = SrsTestData.WithByteChanged(await File.ReadAllBytesAsync(SrsTestData.FixtureKzg), SrsFormat.FileLength(6) - 5);
        var error = await Assert.ThrowsAsync<EzklInvalidArtifactException>(() => KzgSrs.ValidateAsync(Srs.FromBytes(bytes)));
        Assert.Contains("s_g2", error.Message);
    }

    [Fact]
    public async Task A_wrong_first_power_is_rejected()
    {
        byte[] bytes = await File.ReadAllBytesAsync(SrsTestData.FixtureKzg);
        SrsFormat.WriteG1(bytes.AsSpan(4, 64), Curves.G1Generator.Negate());
        var error = await Assert.ThrowsAsync<EzklInvalidArtifactException>(() => KzgSrs.ValidateAsync(Srs.FromBytes(bytes)));
        Assert.Contains("g[0]", error.Message);
    }

    [Fact]
    public async Task A_wrong_root_of_unity_passes_structure_but_fails_full_validation()
    {
        // 5^((r-1)/2^28) gives halo2's domain for k <= 5 but a different one from k = 6 on.
        byte[] bytes = await SrsTestData.FromTauAsync(6, 987654321, rootGenerator: 5);
        Srs srs = Srs.FromBytes(bytes);
        Assert.Equal(6, await KzgSrs.ValidateAsync(srs, SrsValidation.Structure));
        var error = await Assert.ThrowsAsync<EzklInvalidArtifactException>(() => KzgSrs.ValidateAsync(srs, SrsValidation.Full));
        Assert.Contains("root of unity", error.Message);
    }

    [Fact]
    public async Task Truncated_and_extended_files_are_rejected_with_the_expected_length()
    {
        byte[] bytes = await File.ReadAllBytesAsync(SrsTestData.FixtureKzg);
        string dir = Directory.CreateTempSubdirectory("zkml-srs-").FullName;
        try
        {
            string truncated = Path.Combine(dir, "truncated");
            await File.WriteAllBytesAsync(truncated, bytes[..^1]);
            var error = await Assert.ThrowsAsync<EzklInvalidArtifactException>(() => KzgSrs.ValidateFileAsync(truncated));
            Assert.Contains("8452", error.Message);

            string extended = Path.Combine(dir, "extended");
            await File.WriteAllBytesAsync(extended, [.. bytes, 0]);
            await Assert.ThrowsAsync<EzklInvalidArtifactException>(() => KzgSrs.ValidateFileAsync(extended));

            string empty = Path.Combine(dir, "empty");
            await File.WriteAllBytesAsync(empty, []);
            error = await Assert.ThrowsAsync<EzklInvalidArtifactException>(() => KzgSrs.ValidateFileAsync(empty));
            Assert.Contains("empty", error.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_non_seekable_truncated_stream_reports_where_it_ends()
    {
        byte[] bytes = await File.ReadAllBytesAsync(SrsTestData.FixtureKzg);
        using var stream = new ForwardOnlyStream(bytes[..5000]);
        var error = await Assert.ThrowsAsync<EzklInvalidArtifactException>(() => KzgSrs.ValidateStreamAsync(stream, SrsValidation.Structure, null, CancellationToken.None));
        Assert.Contains("ends at byte", error.Message);
    }

    [Fact]
    public async Task A_header_with_an_impossible_k_is_rejected()
    {
        byte[] bytes = await File.ReadAllBytesAsync(SrsTestData.FixtureKzg);
        bytes[0] = 40;
        using var stream = new MemoryStream(bytes);
        var error = await Assert.ThrowsAsync<EzklInvalidArtifactException>(() => KzgSrs.ValidateStreamAsync(stream, SrsValidation.Structure, null, CancellationToken.None));
        Assert.Contains("k = 40", error.Message);
    }

    [Fact]
    public async Task A_missing_file_is_reported_as_an_invalid_srs()
    {
        var error = await Assert.ThrowsAsync<EzklInvalidArtifactException>(() => KzgSrs.ValidateFileAsync("/nonexistent/zkml/kzg"));
        Assert.Contains("/nonexistent/zkml/kzg", error.Message);
    }
}

/// <summary>Reports synchronously (Progress&lt;T&gt; posts to the thread pool, which makes assertions racy).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

/// <summary>A read-only stream that cannot seek, like a network body.</summary>
internal sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes, writable: false)
{
    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
}
