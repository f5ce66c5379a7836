using Microsoft.Extensions.DependencyInjection;

namespace Zkml.Ezkl.Tests.SrsTests;

/// <summary>get-srs: the pinned ceremony hashes, the download path against a loopback server, the cache.</summary>
public sealed class PublicSrsClientTests : IDisposable
{
    private readonly string _cache = Directory.CreateTempSubdirectory("zkml-srs-cache-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    [Fact]
    public async Task The_public_k1_file_passes_the_hash_check()
    {
        await PublicSrsClient.VerifyFileAsync(SrsTestData.FixtureKzg1, 1);
        PublicSrsClient.Verify(await Srs.LoadAsync(SrsTestData.FixtureKzg1));
    }

    [Fact]
    public async Task A_one_byte_change_to_the_k1_file_fails_the_hash_check_with_both_hashes_in_the_message()
    {
        byte[] changed = SrsTestData.WithByteChanged(await File.ReadAllBytesAsync(SrsTestData.FixtureKzg1), 100);
        var error = Assert.Throws<SrsIntegrityException>(() => PublicSrsClient.Verify(Srs.FromBytes(changed)));
        Assert.Equal(1, error.Logrows);
        Assert.Equal("cafb2aa72c200ddc4e28aacabb8066e829207e2484b8d17059a566232f8a297b", error.ExpectedSha256);
        Assert.Contains(error.ExpectedSha256, error.Message);
        Assert.Contains(error.ActualSha256, error.Message);
        Assert.IsAssignableFrom<EzklInvalidArtifactException>(error);
    }

    [Fact]
    public void The_hash_table_covers_k_1_to_26_and_nothing_else()
    {
        Assert.All(Enumerable.Range(1, 26), k => Assert.Matches("^[0-9a-f]{64}$", PublicSrsClient.KnownSha256(k)));
        Assert.Equal(26, Enumerable.Range(1, 26).Select(PublicSrsClient.KnownSha256).Distinct().Count());
        Assert.Equal("85030b2924111fc60acaf4fb8a7bad89531fbe0271aeab0c21e545f71eee273d", PublicSrsClient.KnownSha256(6));
        Assert.Throws<ArgumentOutOfRangeException>(() => PublicSrsClient.KnownSha256(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => PublicSrsClient.KnownSha256(27));
    }

    [Fact]
    public async Task Downloading_from_a_loopback_server_checks_the_hash_caches_and_then_reads_the_cache()
    {
        byte[] kzg1 = await File.ReadAllBytesAsync(SrsTestData.FixtureKzg1);
        using var server = new LoopbackFileServer(new() { ["srs-1"] = kzg1 });
        using var client = new PublicSrsClient(new PublicSrsOptions { BaseUrl = server.BaseUrl + "srs-", CacheDirectory = _cache });
        var reports = new List<SrsProgress>();

        string path = await client.GetFileAsync(1, progress: new SynchronousProgress<SrsProgress>(reports.Add));

        Assert.Equal(Path.Combine(_cache, "kzg1.srs"), path);
        Assert.Equal(kzg1, await File.ReadAllBytesAsync(path));
        Assert.Equal(1, server.Requests);
        Assert.Contains(new SrsProgress(SrsStage.Downloading, kzg1.Length, kzg1.Length), reports);

        Srs again = await client.GetAsync(1);
        Assert.Equal(kzg1, again.Bytes.ToArray());
        Assert.Equal(1, server.Requests); // served from the cache
    }

    [Fact]
    public async Task A_download_with_the_wrong_hash_is_rejected_and_not_cached()
    {
        byte[] changed = SrsTestData.WithByteChanged(await File.ReadAllBytesAsync(SrsTestData.FixtureKzg1), 7);
        using var server = new LoopbackFileServer(new() { ["kzg1"] = changed });
        using var client = new PublicSrsClient(new PublicSrsOptions { CacheDirectory = _cache });

        var error = await Assert.ThrowsAsync<SrsIntegrityException>(() => client.GetFileAsync(1, server.BaseUrl + "kzg1"));

        Assert.Equal(server.BaseUrl + "kzg1", error.Location);
        Assert.Empty(Directory.GetFiles(_cache));
    }

    [Fact]
    public async Task A_missing_file_on_the_server_is_a_non_transient_download_error()
    {
        using var server = new LoopbackFileServer([]);
        using var client = new PublicSrsClient(new PublicSrsOptions { BaseUrl = server.BaseUrl + "nothing-", CacheDirectory = _cache });

        var error = await Assert.ThrowsAsync<SrsDownloadException>(() => client.GetFileAsync(1));

        Assert.Contains("404", error.Message);
        Assert.False(error.IsTransient);
        Assert.Empty(Directory.GetFiles(_cache));
    }

    [Fact]
    public async Task An_unreachable_server_is_a_transient_download_error()
    {
        string url;
        using (var server = new LoopbackFileServer([]))
        {
            url = server.BaseUrl + "kzg1";
        }

        using var client = new PublicSrsClient(new PublicSrsOptions { CacheDirectory = _cache });
        var error = await Assert.ThrowsAsync<SrsDownloadException>(() => client.GetFileAsync(1, url));
        Assert.True(error.IsTransient);
    }

    [Fact]
    public async Task A_local_path_is_accepted_as_the_source_and_checked_the_same_way()
    {
        using var client = new PublicSrsClient(new PublicSrsOptions { CacheDirectory = _cache });
        string path = await client.GetFileAsync(1, SrsTestData.FixtureKzg1);
        Assert.Equal(await File.ReadAllBytesAsync(SrsTestData.FixtureKzg1), await File.ReadAllBytesAsync(path));

        await Assert.ThrowsAsync<SrsIntegrityException>(() => client.GetFileAsync(6, SrsTestData.FixtureKzg)); // the locally made k = 6 is not the ceremony file
        Assert.Equal(["kzg1.srs"], Directory.GetFiles(_cache).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_corrupted_cache_entry_is_fetched_again()
    {
        byte[] kzg1 = await File.ReadAllBytesAsync(SrsTestData.FixtureKzg1);
        await File.WriteAllBytesAsync(Path.Combine(_cache, "kzg1.srs"), SrsTestData.WithByteChanged(kzg1, 3));
        using var server = new LoopbackFileServer(new() { ["kzg1"] = kzg1 });
        using var client = new PublicSrsClient(new PublicSrsOptions { CacheDirectory = _cache });

        string path = await client.GetFileAsync(1, server.BaseUrl + "kzg1");

        Assert.Equal(kzg1, await File.ReadAllBytesAsync(path));
        Assert.Equal(1, server.Requests);
    }
}

/// <summary>Registering the SRS client with dependency injection.</summary>
public sealed class SrsServiceCollectionTests
{
    [Fact]
    public async Task AddPublicSrsClient_registers_one_configured_client()
    {
        string cache = Directory.CreateTempSubdirectory("zkml-srs-di-").FullName;
        try
        {
            var services = new ServiceCollection();
            services.AddPublicSrsClient(o => o.CacheDirectory = cache);
            await using var provider = services.BuildServiceProvider();

            var client = provider.GetRequiredService<PublicSrsClient>();

            Assert.Same(client, provider.GetRequiredService<PublicSrsClient>());
            Assert.Equal(Path.Combine(cache, "kzg1.srs"), client.CachePath(1));
            Assert.Equal(await File.ReadAllBytesAsync(SrsTestData.FixtureKzg1), (await client.GetAsync(1, SrsTestData.FixtureKzg1)).Bytes.ToArray());
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }
}
