using System.Text;
using Zkml.Storage.Tests.Support;

namespace Zkml.Storage.Tests.Artifacts;

/// <summary>
/// The behaviour every <see cref="IArtifactStore"/> must have, run against each real store by a subclass.
/// </summary>
public abstract class ArtifactStoreContract
{
    protected abstract Task<IArtifactStore> CreateStoreAsync();

    /// <summary>Changes the stored bytes of <paramref name="key"/> behind the store's back, keeping its recorded digest.</summary>
    protected abstract Task TamperAsync(IArtifactStore store, string key, byte[] replacement);

    [Fact]
    public async Task Put_SmallObjectWithMetadata_ReadsBackSameBytesAndProperties()
    {
        var store = await CreateStoreAsync();
        var data = Encoding.UTF8.GetBytes("{\"input_data\":[[0.1,0.2]]}");
        var options = new ArtifactPutOptions { ContentType = "application/json" };
        options.Metadata["model-id"] = "0xabc";

        var stored = await store.PutAsync("inputs/request-1.json", data, options);
        await using var read = await store.OpenReadAsync("inputs/request-1.json");
        var bytes = new byte[data.Length + 1];
        var n = await read.Content.ReadAtLeastAsync(bytes, bytes.Length, throwOnEndOfStream: false);

        Assert.Equal(data, bytes[..n]);
        Assert.Equal(data.Length, stored.Size);
        Assert.Equal(ContentId.Sha256Hex(data), stored.Sha256);
        Assert.Equal(ContentId.Compute(data), stored.Cid);
        Assert.False(string.IsNullOrEmpty(stored.ETag));
        Assert.Equal(stored, read.Properties.Ref);
        Assert.Equal("application/json", read.Properties.ContentType);
        Assert.Equal("0xabc", read.Properties.Metadata["model-id"]);
        Assert.Single(read.Properties.Metadata);
    }

    [Fact]
    public async Task Put_20MegabyteObject_RoundTripsByteForByte()
    {
        var store = await CreateStoreAsync();
        var data = TestData.Bytes(20 * 1000 * 1000, seed: 20);
        var reported = new List<long>();

        var stored = await store.PutAsync("proofs/large.bin", new MemoryStream(data),
            new ArtifactPutOptions { Progress = new SynchronousProgress(reported) });
        var read = await store.ReadAllBytesAsync("proofs/large.bin");

        Assert.Equal(data.Length, stored.Size);
        Assert.Equal(ContentId.Sha256Hex(data), stored.Sha256);
        Assert.True(read.AsSpan().SequenceEqual(data));
        Assert.Equal(data.Length, reported[^1]);
    }

    [Fact]
    public async Task Read_ObjectAlteredBehindTheStoresBack_ThrowsIntegrityErrorAndReturnsNoBytes()
    {
        var store = await CreateStoreAsync();
        var original = TestData.Bytes(4096, seed: 3);
        var stored = await store.PutAsync("proofs/tampered.bin", original);
        var altered = (byte[])original.Clone();
        altered[1000] ^= 0x01;

        await TamperAsync(store, "proofs/tampered.bin", altered);
        var destination = new MemoryStream();
        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(
            async () => await store.DownloadToAsync("proofs/tampered.bin", destination));

        Assert.Equal(stored.Sha256, error.ExpectedSha256);
        Assert.Equal(ContentId.Sha256Hex(altered), error.ActualSha256);
        Assert.Equal(0, destination.Length);
    }

    [Fact]
    public async Task ReadByRef_ObjectReplacedThroughTheStore_ThrowsIntegrityError()
    {
        var store = await CreateStoreAsync();
        var original = await store.PutAsync("proofs/p.json", "{\"proof\":1}"u8.ToArray());
        await store.PutAsync("proofs/p.json", "{\"proof\":2}"u8.ToArray());

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(async () => await store.ReadAllBytesAsync(original));

        Assert.Equal(original.Sha256, error.ExpectedSha256);
        Assert.Equal("{\"proof\":2}"u8.ToArray(), await store.ReadAllBytesAsync("proofs/p.json"));
    }

    [Fact]
    public async Task Put_SourceFailsMidway_NothingBecomesVisible()
    {
        var store = await CreateStoreAsync();
        var data = TestData.Bytes(20 * 1000 * 1000, seed: 4);

        await Assert.ThrowsAsync<IOException>(
            async () => await store.PutAsync("proofs/truncated.bin", new FailingStream(data, failAfter: 12 * 1000 * 1000)));

        Assert.False(await store.ExistsAsync("proofs/truncated.bin"));
        Assert.Null(await store.HeadAsync("proofs/truncated.bin"));
        await Assert.ThrowsAsync<ArtifactNotFoundException>(async () => await store.OpenReadAsync("proofs/truncated.bin"));
    }

    [Fact]
    public async Task Put_ContentNotMatchingExpectedDigest_ThrowsAndKeepsThePreviousVersion()
    {
        var store = await CreateStoreAsync();
        var first = Encoding.UTF8.GetBytes("version one");
        await store.PutAsync("settings.json", first);

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(async () => await store.PutAsync(
            "settings.json", Encoding.UTF8.GetBytes("version two"),
            new ArtifactPutOptions { ExpectedSha256 = ContentId.Sha256Hex("something else"u8) }));

        Assert.Equal(first, await store.ReadAllBytesAsync("settings.json"));
        Assert.Equal(ContentId.Sha256Hex("version two"u8), error.ActualSha256);
    }

    [Fact]
    public async Task PutContentAddressed_SameBytesTwice_IsIdempotent()
    {
        var store = new PutCountingStore(await CreateStoreAsync());
        var data = TestData.Bytes(10_000, seed: 5);

        var first = await store.PutContentAddressedAsync(data, "models/");
        var putsAfterFirst = store.Puts;
        var before = await store.HeadAsync(first.Key);
        var second = await store.PutContentAddressedAsync(new MemoryStream(data), "models/");
        var after = await store.HeadAsync(first.Key);

        Assert.Equal("models/" + ContentId.Compute(data), first.Key);
        Assert.Equal(1, putsAfterFirst);
        Assert.Equal(putsAfterFirst, store.Puts); // the second put found the bytes there and wrote nothing
        Assert.Equal(first, second);
        Assert.Equal(before!.Ref.ETag, after!.Ref.ETag);
        Assert.Equal(data, await store.ReadAllBytesAsync(first.Key));
        var keys = await store.ListAsync("models/").Select(i => i.Key).ToListAsync();
        Assert.Equal([first.Key], keys);
    }

    [Fact]
    public async Task List_ByPrefix_ReturnsOnlyMatchingKeysInOrder()
    {
        var store = await CreateStoreAsync();
        string[] keys = ["log/b", "log/a", "log/c/1", "log/c/2", "logs-other", "other/x", "log/d"];
        foreach (var key in keys)
        {
            await store.PutAsync(key, Encoding.UTF8.GetBytes(key));
        }

        var listed = await store.ListAsync("log/").ToListAsync();

        Assert.Equal(["log/a", "log/b", "log/c/1", "log/c/2", "log/d"], listed.Select(i => i.Key));
        Assert.Equal(Encoding.UTF8.GetByteCount("log/c/1"), listed[2].Size);
        Assert.Equal(7, (await store.ListAsync().ToListAsync()).Count);
    }

    [Fact]
    public async Task PutIfNotExists_KeyTaken_ThrowsAndKeepsTheFirstVersion()
    {
        var store = await CreateStoreAsync();
        var createOnly = new ArtifactPutOptions { IfNotExists = true };
        await store.PutAsync("audit/000001", "first"u8.ToArray(), createOnly);

        await Assert.ThrowsAsync<ArtifactAlreadyExistsException>(
            async () => await store.PutAsync("audit/000001", "second"u8.ToArray(), new ArtifactPutOptions { IfNotExists = true }));

        Assert.Equal("first"u8.ToArray(), await store.ReadAllBytesAsync("audit/000001"));
    }

    [Fact]
    public async Task Delete_RemovesTheObjectAndReportsWhetherItExisted()
    {
        var store = await CreateStoreAsync();
        await store.PutAsync("tmp/x", "x"u8.ToArray());

        Assert.True(await store.DeleteAsync("tmp/x"));
        Assert.False(await store.DeleteAsync("tmp/x"));
        Assert.False(await store.ExistsAsync("tmp/x"));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/absolute")]
    [InlineData("a//b")]
    [InlineData("a/.hidden")]
    [InlineData("trailing/")]
    [InlineData("space in key")]
    public async Task Put_InvalidKey_ThrowsInvalidArtifactKey(string key)
    {
        var store = await CreateStoreAsync();

        await Assert.ThrowsAsync<InvalidArtifactKeyException>(async () => await store.PutAsync(key, "x"u8.ToArray()));
    }

    [Fact]
    public async Task Put_ReservedMetadataName_ThrowsInvalidArtifactKey()
    {
        var store = await CreateStoreAsync();
        var options = new ArtifactPutOptions();
        options.Metadata["zkml-sha256"] = "00";

        await Assert.ThrowsAsync<InvalidArtifactKeyException>(async () => await store.PutAsync("k", "x"u8.ToArray(), options));
        Assert.False(await store.ExistsAsync("k"));
    }

    [Fact]
    public async Task ConcurrentWritersOfOneKey_ReadersAlwaysSeeOneWholeVersion()
    {
        var store = await CreateStoreAsync();
        var versions = Enumerable.Range(0, 4).Select(i => TestData.Bytes(256 * 1024, seed: 100 + i)).ToArray();
        var digests = versions.Select(v => ContentId.Sha256Hex(v)).ToHashSet();
        await store.PutAsync("shared/key", versions[0]);

        var writers = versions.Select(v => Task.Run(async () =>
        {
            for (var i = 0; i < 5; i++)
            {
                await store.PutAsync("shared/key", v);
            }
        }));
        var reader = Task.Run(async () =>
        {
            for (var i = 0; i < 20; i++)
            {
                var bytes = await store.ReadAllBytesAsync("shared/key");
                Assert.Contains(ContentId.Sha256Hex(bytes), digests);
            }
        });
        await Task.WhenAll(writers.Append(reader));

        Assert.Contains(ContentId.Sha256Hex(await store.ReadAllBytesAsync("shared/key")), digests);
    }

    /// <summary>Records progress reports in order, on the reporting thread.</summary>
    private sealed class SynchronousProgress(List<long> reports) : IProgress<long>
    {
        public void Report(long value) => reports.Add(value);
    }
}
