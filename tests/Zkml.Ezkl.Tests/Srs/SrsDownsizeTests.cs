using Zkml.Ezkl.Bn254;

namespace Zkml.Ezkl.Tests.SrsTests;

/// <summary>Cutting a smaller SRS from a larger one.</summary>
public sealed class SrsDownsizeTests
{
    [Fact]
    public async Task Downsizing_k8_to_k6_gives_the_k6_srs_of_the_same_tau_byte_for_byte()
    {
        byte[] large = await SrsTestData.FromTauAsync(8, 424242);
        byte[] expected = await SrsTestData.FromTauAsync(6, 424242);
        Srs small = await KzgSrs.DownsizeAsync(Srs.FromBytes(large), 6);
        Assert.Equal(6, small.Logrows);
        Assert.Equal(expected, small.Bytes.ToArray());
    }

    [Fact]
    public async Task Downsizing_the_fixture_to_k4_passes_full_validation()
    {
        Srs small = await KzgSrs.LoadForLogrowsAsync(SrsTestData.FixtureKzg, 4);
        Assert.Equal(4, await KzgSrs.ValidateAsync(small, SrsValidation.Full));
    }

    [Fact]
    public async Task Downsizing_a_non_seekable_stream_reads_through_to_the_g2_points()
    {
        byte[] large = await SrsTestData.FromTauAsync(5, 77);
        byte[] expected = await SrsTestData.FromTauAsync(3, 77);
        using var stream = new ForwardOnlyStream(large);
        Srs small = await KzgSrs.DownsizeStreamAsync(stream, 3, null, CancellationToken.None);
        Assert.Equal(expected, small.Bytes.ToArray());
    }

    [Fact]
    public async Task Loading_for_the_same_k_returns_the_file_unchanged()
    {
        Srs srs = await KzgSrs.LoadForLogrowsAsync(SrsTestData.FixtureKzg, 6);
        Assert.Equal(await File.ReadAllBytesAsync(SrsTestData.FixtureKzg), srs.Bytes.ToArray());
    }

    [Fact]
    public async Task Asking_for_a_larger_k_than_the_srs_has_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<EzklInvalidArtifactException>(() => KzgSrs.LoadForLogrowsAsync(SrsTestData.FixtureKzg, 8));
        Assert.Contains("k = 6", error.Message);
        Assert.Contains("8", error.Message);
    }

    [Fact]
    public async Task Downsizing_reports_lagrange_progress_to_completion()
    {
        var reports = new List<SrsProgress>();
        await KzgSrs.DownsizeAsync(Srs.FromBytes(await SrsTestData.FromTauAsync(6, 5)), 5, new SynchronousProgress<SrsProgress>(reports.Add));
        SrsProgress last = reports[^1];
        Assert.Equal(SrsStage.LagrangeBasis, last.Stage);
        Assert.Equal(last.Total, last.Completed);
    }
}

/// <summary>The on-disk cache of downsized SRS.</summary>
public sealed class SrsDownsizeCacheTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zkml-srs-downsize-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_second_load_is_served_from_the_cache_and_equals_the_first()
    {
        string source = Path.Combine(_dir, "kzg7");
        await File.WriteAllBytesAsync(source, await SrsTestData.FromTauAsync(7, 99));
        string cache = Path.Combine(_dir, "cache");
        var firstReports = new List<SrsProgress>();
        var secondReports = new List<SrsProgress>();

        Srs first = await KzgSrs.LoadForLogrowsAsync(source, 5, cache, new SynchronousProgress<SrsProgress>(firstReports.Add));
        Srs second = await KzgSrs.LoadForLogrowsAsync(source, 5, cache, new SynchronousProgress<SrsProgress>(secondReports.Add));

        Assert.Equal(await SrsTestData.FromTauAsync(5, 99), first.Bytes.ToArray());
        Assert.Equal(first.Bytes.ToArray(), second.Bytes.ToArray());
        Assert.Single(Directory.GetFiles(cache));
        Assert.Contains(firstReports, r => r.Stage == SrsStage.LagrangeBasis);
        Assert.DoesNotContain(secondReports, r => r.Stage == SrsStage.LagrangeBasis); // no recomputation
    }

    [Fact]
    public async Task A_tampered_cache_entry_is_ignored_and_replaced()
    {
        string source = Path.Combine(_dir, "kzg6");
        await File.WriteAllBytesAsync(source, await SrsTestData.FromTauAsync(6, 1234));
        string cache = Path.Combine(_dir, "cache");
        await KzgSrs.LoadForLogrowsAsync(source, 4, cache);
        string entry = Directory.GetFiles(cache).Single();
        byte[] tampered = await File.ReadAllBytesAsync(entry);
        SrsFormat.WriteG1(tampered.AsSpan((int)SrsFormat.LagrangeOffset(4), 64), Curves.G1Generator); // a valid point, wrong place
        await File.WriteAllBytesAsync(entry, tampered);

        Srs again = await KzgSrs.LoadForLogrowsAsync(source, 4, cache);

        Assert.Equal(await SrsTestData.FromTauAsync(4, 1234), again.Bytes.ToArray());
        Assert.Equal(again.Bytes.ToArray(), await File.ReadAllBytesAsync(entry));
    }
}
