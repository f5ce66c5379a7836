using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Zkml.Storage.S3;
using Zkml.Storage.Tests.Artifacts;
using Zkml.Storage.Tests.Support;
using Zkml.TestSupport;

namespace Zkml.Storage.Tests.S3;

/// <summary>The store contract and the S3-specific behaviour, against the live radosgw.</summary>
public sealed class S3ArtifactStoreTests : ArtifactStoreContract
{
    protected override async Task<IArtifactStore> CreateStoreAsync() => await S3TestStores.CreateWithNewBucketAsync();

    protected override Task TamperAsync(IArtifactStore store, string key, byte[] replacement) =>
        StoreTampering.ReplaceContentAsync(store, key, replacement);

    [Fact]
    public async Task Put_20MegabyteObject_GoesUpInPartsAndRecordsItsDigest()
    {
        using var store = await S3TestStores.CreateWithNewBucketAsync();
        var data = TestData.Bytes(20 * 1000 * 1000, seed: 21);

        var stored = await store.PutAsync("models/network.bin", new MemoryStream(data));
        using var client = S3TestStores.RawClient(store.BucketName);
        var head = await client.GetObjectMetadataAsync(store.BucketName, "models/network.bin");

        // A multipart ETag is "<md5 of part md5s>-<part count>": 20 MB in 5 MiB parts is 4 parts.
        Assert.EndsWith("-4", stored.ETag);
        Assert.Equal(stored.ETag, head.ETag.Trim('"'));
        Assert.Equal(ContentId.Sha256Hex(data), head.Metadata["zkml-sha256"]);
        Assert.Equal(ContentId.Compute(data), head.Metadata["zkml-cid"]);
        Assert.Equal(data.Length, head.ContentLength);
    }

    [Fact]
    public async Task Put_SourceFailsDuringMultipart_AbortsTheUpload()
    {
        using var store = await S3TestStores.CreateWithNewBucketAsync();
        // A seekable source that fails on the second pass: hashing succeeds, the upload of part 3 does not.
        var data = TestData.Bytes(20 * 1000 * 1000, seed: 22);
        var source = new FailOnSecondPassStream(data, failAt: 12 * 1000 * 1000);

        await Assert.ThrowsAsync<IOException>(async () => await store.PutAsync("proofs/cut.bin", source));

        using var client = S3TestStores.RawClient(store.BucketName);
        var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = store.BucketName });
        Assert.Empty(uploads.MultipartUploads ?? []);
        Assert.False(await store.ExistsAsync("proofs/cut.bin"));
    }

    [Fact]
    public async Task Put_CancelledAfterTheFirstPart_AbortsTheUploadAndLeavesNothingVisible()
    {
        using var store = await S3TestStores.CreateWithNewBucketAsync(o => o.MaxConcurrentParts = 1);
        using var cancel = new CancellationTokenSource();
        var options = new ArtifactPutOptions { Progress = new CancelOnReport(cancel) };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await store.PutAsync("proofs/cancelled.bin", new MemoryStream(TestData.Bytes(20 * 1000 * 1000, seed: 25)), options, cancel.Token));

        using var client = S3TestStores.RawClient(store.BucketName);
        var uploads = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = store.BucketName });
        Assert.Empty(uploads.MultipartUploads ?? []);
        Assert.False(await store.ExistsAsync("proofs/cancelled.bin"));
    }

    [Fact]
    public async Task List_MoreKeysThanOnePage_FollowsContinuationTokens()
    {
        using var store = await S3TestStores.CreateWithNewBucketAsync(o => o.ListPageSize = 2);
        var keys = Enumerable.Range(0, 7).Select(i => $"entries/{i:D4}").ToList();
        foreach (var key in keys)
        {
            await store.PutAsync(key, Encoding.UTF8.GetBytes(key));
        }

        var listed = await store.ListAsync("entries/").Select(i => i.Key).ToListAsync();

        Assert.Equal(keys, listed);
    }

    [Fact]
    public async Task PresignedGetUrl_FetchedOverPlainHttp_ReturnsTheBytes()
    {
        using var store = await S3TestStores.CreateWithNewBucketAsync();
        var data = TestData.Bytes(100_000, seed: 23);
        var stored = await store.PutAsync("proofs/shared.json", data);

        var url = await store.GetPresignedReadUriAsync(stored.Key, TimeSpan.FromMinutes(5));
        using var http = new HttpClient();
        var fetched = await http.GetByteArrayAsync(url);

        Assert.Equal(data, fetched);
        Assert.Equal(stored.Sha256, ContentId.Sha256Hex(fetched));
        // Without the signature the same object is refused.
        var unsigned = await http.GetAsync(url.GetLeftPart(UriPartial.Path));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, unsigned.StatusCode);
    }

    [Fact]
    public async Task TransientServerErrors_AreRetriedUntilTheRequestSucceeds()
    {
        var bucket = TestData.UniqueName("zkml-test-");
        await using var proxy = new FaultInjectingProxy(new Uri(TestServices.S3Endpoint), failures: 3);
        using var store = new S3ArtifactStore(S3TestStores.Options(bucket, proxy.Endpoint));
        var data = TestData.Bytes(50_000, seed: 24);

        await store.CreateBucketIfNotExistsAsync();
        var stored = await store.PutAsync("inputs/retried.json", data);

        Assert.Equal(3, proxy.FailuresServed);
        using var direct = new S3ArtifactStore(S3TestStores.Options(bucket));
        Assert.Equal(data, await direct.ReadAllBytesAsync(stored.Key));
    }

    [Fact]
    public async Task TransientServerErrors_OnRead_AreRetriedAndTheBytesStillChecked()
    {
        using var direct = await S3TestStores.CreateWithNewBucketAsync();
        var data = TestData.Bytes(12 << 20, seed: 26);
        var stored = await direct.PutAsync("proofs/read-retried.bin", new MemoryStream(data));

        await using var proxy = new FaultInjectingProxy(new Uri(TestServices.S3Endpoint), failures: 2);
        using var store = new S3ArtifactStore(S3TestStores.Options(direct.BucketName, proxy.Endpoint));
        await using var read = await store.OpenReadAsync(stored.Key);
        var bytes = new byte[data.Length];
        await read.Content.ReadExactlyAsync(bytes);

        Assert.Equal(2, proxy.FailuresServed);
        Assert.Equal(stored, read.Properties.Ref);
        Assert.True(bytes.AsSpan().SequenceEqual(data));
    }

    [Fact]
    public async Task TransientServerErrors_BeyondTheRetryBudget_SurfaceAsTransientStorageException()
    {
        var bucket = TestData.UniqueName("zkml-test-");
        using (var direct = new S3ArtifactStore(S3TestStores.Options(bucket)))
        {
            await direct.CreateBucketIfNotExistsAsync();
        }

        await using var proxy = new FaultInjectingProxy(new Uri(TestServices.S3Endpoint), failures: 100);
        var options = S3TestStores.Options(bucket, proxy.Endpoint);
        options.MaxRetries = 2;
        using var store = new S3ArtifactStore(options);

        var error = await Assert.ThrowsAsync<StorageException>(
            async () => await store.PutAsync("inputs/never.json", "x"u8.ToArray()));

        Assert.True(error.IsTransient);
        Assert.Equal(3, proxy.FailuresServed);
        using var check = new S3ArtifactStore(S3TestStores.Options(bucket));
        Assert.False(await check.ExistsAsync("inputs/never.json"));
    }

    [Fact]
    public async Task Uploads_SendNoChecksumHeadersAndNoChunkedEncoding()
    {
        var bucket = TestData.UniqueName("zkml-test-");
        await using var proxy = new FaultInjectingProxy(new Uri(TestServices.S3Endpoint), failures: 0);
        using var store = new S3ArtifactStore(S3TestStores.Options(bucket, proxy.Endpoint));

        await store.CreateBucketIfNotExistsAsync();
        await store.PutAsync("small", new byte[1000]);
        await store.PutAsync("large", new MemoryStream(new byte[11 << 20]));
        await store.ReadAllBytesAsync("large");

        var sent = proxy.SentText;
        Assert.Contains("POST /" + bucket + "/large?uploads", sent);
        Assert.Contains("partNumber=3", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("x-amz-sdk-checksum-algorithm", sent, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("x-amz-checksum-", sent, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("aws-chunked", sent, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("STREAMING-", sent, StringComparison.Ordinal);
        Assert.DoesNotContain("Transfer-Encoding: chunked", sent, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Read_ObjectWithoutZkmlDigest_IsRefused()
    {
        using var store = await S3TestStores.CreateWithNewBucketAsync();
        using var client = S3TestStores.RawClient(store.BucketName);
        await client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = store.BucketName,
            Key = "foreign.bin",
            InputStream = new MemoryStream(new byte[10]),
            UseChunkEncoding = false,
        });

        var error = await Assert.ThrowsAsync<ArtifactIntegrityException>(async () => await store.OpenReadAsync("foreign.bin"));
        Assert.Null(error.ExpectedSha256);
    }

    [Fact]
    public void AkaveO3Preset_UsesAkavesEndpointRegionAndChecksumSettings()
    {
        var options = S3ArtifactStoreOptions.ForAkaveO3("AK", "SK", "models");
        using var client = S3ArtifactStore.CreateClient(options);
        var config = (AmazonS3Config)client.Config;

        Assert.Equal(new Uri("https://o3-rc2.akave.xyz"), options.ServiceUrl);
        Assert.Equal("akave-network", config.AuthenticationRegion);
        Assert.True(config.ForcePathStyle);
        Assert.Equal(RequestChecksumCalculation.WHEN_REQUIRED, config.RequestChecksumCalculation);
        Assert.Equal(ResponseChecksumValidation.WHEN_REQUIRED, config.ResponseChecksumValidation);
        Assert.True(options.PartSize >= S3ArtifactStoreOptions.MinimumPartSize);
    }

    [Fact]
    public void Options_PartsSmallerThanFiveMegabytes_AreRejected()
    {
        var options = S3TestStores.Options("zkml-test-x");
        options.PartSize = 1 << 20;

        Assert.Throws<ArgumentOutOfRangeException>(() => new S3ArtifactStore(options));
    }

    private sealed class CancelOnReport(CancellationTokenSource cancel) : IProgress<long>
    {
        public void Report(long value) => cancel.Cancel();
    }

    /// <summary>Seekable; the first read pass completes, the second fails at <c>failAt</c>.</summary>
    private sealed class FailOnSecondPassStream(byte[] data, int failAt) : MemoryStream(data, writable: false)
    {
        private int _passes;

        public override long Position
        {
            get => base.Position;
            set
            {
                if (value == 0)
                {
                    _passes++;
                }

                base.Position = value;
            }
        }

        public override int Read(byte[] buffer, int offset, int count) => Guard(base.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Guard(base.Read(buffer));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Guard(base.Read(buffer.Span)));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Guard(base.Read(buffer, offset, count)));

        private int Guard(int read)
        {
            if (_passes >= 1 && base.Position > failAt)
            {
                throw new IOException("The source went away mid-upload.");
            }

            return read;
        }
    }
}
