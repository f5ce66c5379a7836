using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Zkml.Storage.Audit;
using Zkml.Storage.FileSystem;
using Zkml.Storage.Records;
using Zkml.Storage.S3;
using Zkml.Storage.Tests.Support;
using Zkml.TestSupport;

namespace Zkml.Storage.Tests.Records;

public sealed class MarketRecordStoreTests : IDisposable
{
    private const string ModelId = "0x1b2c3d4e5f60718293a4b5c6d7e8f9011b2c3d4e5f60718293a4b5c6d7e8f901";
    private readonly TempFolder _folder = new();

    private (IArtifactStore Store, MarketRecordStore Records) Create()
    {
        var store = new FileSystemArtifactStore(_folder.Path);
        return (store, new MarketRecordStore(store, new AuditTrail(store)));
    }

    private static async Task<ModelCommitment> CommitmentAsync(IArtifactStore store)
    {
        var vk = await store.PutContentAddressedAsync(TestData.Bytes(3000, seed: 7), "artifacts/");
        var compiled = await store.PutContentAddressedAsync(TestData.Bytes(5000, seed: 8), "artifacts/");
        return new ModelCommitment
        {
            ModelId = ModelId,
            VkHash = vk.Sha256,
            Settings = JsonSerializer.SerializeToElement(new { run_args = new { logrows = 17 } }),
            Artifacts = new Dictionary<string, ArtifactRef> { ["vk"] = vk, ["compiled"] = compiled },
            CreatedAt = new DateTimeOffset(2026, 11, 24, 6, 0, 0, TimeSpan.Zero),
            Description = "2-layer MLP",
        };
    }

    [Fact]
    public async Task CommitModel_IsStoredLoggedAndReadBack()
    {
        var (store, records) = Create();
        var commitment = await CommitmentAsync(store);

        var receipt = await records.CommitModelAsync(commitment);
        var read = await records.GetModelAsync(ModelId);

        Assert.Equal($"models/{ModelId}.json", receipt.Record.Key);
        Assert.Equal(MarketRecordStore.ModelCommittedKind, receipt.AuditEntry.Kind);
        Assert.Equal(receipt.Record.Sha256, receipt.AuditEntry.Payload.GetProperty("sha256").GetString());
        Assert.NotNull(read);
        Assert.Equal(commitment.Artifacts["vk"], read.Artifacts["vk"]);
        Assert.Equal(commitment.VkHash, read.VkHash);
        Assert.Equal(17, read.Settings!.Value.GetProperty("run_args").GetProperty("logrows").GetInt32());
        Assert.Equal(commitment.CreatedAt, read.CreatedAt);
        Assert.Null(await records.GetModelAsync("0xunknown"));
    }

    [Fact]
    public async Task CommitModel_DifferentCommitmentForTheSameModel_IsRefusedAndTheFirstKept()
    {
        var (store, records) = Create();
        var commitment = await CommitmentAsync(store);
        await records.CommitModelAsync(commitment);

        await records.CommitModelAsync(commitment); // the same again completes (a retry)
        await Assert.ThrowsAsync<ArtifactAlreadyExistsException>(
            async () => await records.CommitModelAsync(commitment with { Description = "forged" }));

        Assert.Equal("2-layer MLP", (await records.GetModelAsync(ModelId))!.Description);
    }

    [Fact]
    public async Task ProofLog_EachStepIsChainedInTheTrailAndTheLatestIsKept()
    {
        var (store, records) = Create();
        var input = await store.PutContentAddressedAsync("{\"input_data\":[[1,2]]}"u8.ToArray(), "inputs/");
        var requested = new ProofLogEntry
        {
            RequestId = "42",
            ModelId = ModelId,
            InputCommitment = "0xabc",
            Input = input,
            Status = ProofStatus.Requested,
            RequestedAt = DateTimeOffset.UnixEpoch.AddDays(20000),
            TransactionHashes = ["0x01"],
        };
        var proof = await store.PutContentAddressedAsync(TestData.Bytes(2000, seed: 9), "proofs/");

        await records.AppendProofLogAsync(requested);
        await records.AppendProofLogAsync(requested with { RequestId = "43" });
        await records.AppendProofLogAsync(requested with { Status = ProofStatus.Locked, TransactionHashes = ["0x01", "0x02"] });
        var last = await records.AppendProofLogAsync(requested with
        {
            Status = ProofStatus.Fulfilled,
            Proof = proof,
            OutputCommitment = "0xdef",
            TransactionHashes = ["0x01", "0x02", "0x03"],
        });

        var latest = await records.GetProofLogAsync("42");
        var history = await records.ReadProofHistoryAsync("42").ToListAsync();
        var verification = await records.AuditTrail.VerifyAsync(expectedHeadHash: last.AuditEntry.Hash);

        Assert.Equal(ProofStatus.Fulfilled, latest!.Status);
        Assert.Equal(proof, latest.Proof);
        Assert.Equal(input, latest.Input);
        Assert.Equal(["0x01", "0x02", "0x03"], latest.TransactionHashes);
        Assert.Equal([ProofStatus.Requested, ProofStatus.Locked, ProofStatus.Fulfilled], history.Select(h => h.Status));
        Assert.True(verification.IsValid, verification.FirstViolation?.Message);
        Assert.Equal(4, verification.EntryCount);
        Assert.Contains("\"status\":\"Fulfilled\"", System.Text.Encoding.UTF8.GetString(await store.ReadAllBytesAsync("proof-log/42.json")));
    }

    [Fact]
    public async Task ProofLog_RequestIdThatIsNotAKeySegment_IsRejected()
    {
        var (_, records) = Create();

        await Assert.ThrowsAsync<InvalidArtifactKeyException>(async () => await records.AppendProofLogAsync(new ProofLogEntry
        {
            RequestId = "../../etc",
            ModelId = ModelId,
            InputCommitment = "0x",
            Status = ProofStatus.Requested,
            RequestedAt = DateTimeOffset.UtcNow,
        }));
        Assert.Null(await records.AuditTrail.GetLastAsync());
    }

    [Fact]
    public async Task AddZkmlStorage_WithAFolder_ResolvesTheFilesystemStoreAndRecords()
    {
        using var provider = new ServiceCollection()
            .AddZkmlStorage(o => o.UseFileSystem(_folder.Path))
            .BuildServiceProvider();

        var store = provider.GetRequiredService<IArtifactStore>();
        var records = provider.GetRequiredService<MarketRecordStore>();
        await records.CommitModelAsync(await CommitmentAsync(store));

        Assert.IsType<FileSystemArtifactStore>(store);
        Assert.Same(provider.GetRequiredService<AuditTrail>(), records.AuditTrail);
        Assert.True((await records.AuditTrail.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task AddZkmlStorage_WithS3_ResolvesAStoreOnTheBucket()
    {
        var bucket = TestData.UniqueName("zkml-test-");
        using var provider = new ServiceCollection()
            .AddZkmlStorage(o => o.UseS3(S3TestStores.Options(bucket)))
            .BuildServiceProvider();

        var store = Assert.IsType<S3ArtifactStore>(provider.GetRequiredService<IArtifactStore>());
        await store.CreateBucketIfNotExistsAsync();
        var stored = await store.PutContentAddressedAsync("hello world"u8.ToArray());

        Assert.Equal("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e", stored.Key);
        Assert.Equal(bucket, store.BucketName);
        Assert.Equal(TestServices.S3Endpoint.TrimEnd('/'), provider.GetRequiredService<IOptions<ZkmlStorageOptions>>().Value.S3!.ServiceUrl!.ToString().TrimEnd('/'));
    }

    [Fact]
    public void AddZkmlStorage_WithoutABackend_FailsWithAClearMessage()
    {
        using var provider = new ServiceCollection().AddZkmlStorage(_ => { }).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IArtifactStore>());
        Assert.Contains("UseFileSystem", error.Message);
    }

    public void Dispose() => _folder.Dispose();
}
