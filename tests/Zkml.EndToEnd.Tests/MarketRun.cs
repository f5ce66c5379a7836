using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3;
using Zkml.Ezkl;
using Zkml.Market;
using Zkml.Samples;
using Zkml.Storage;
using Zkml.Storage.Records;
using Zkml.TestSupport;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Zkml.EndToEnd.Tests;

/// <summary>
/// One provider host process on the live anvil chain (ZKML_TEST_RPC_URL) with its artifacts in a fresh radosgw
/// bucket (ZKML_TEST_S3_*): it deploys its own market, trains and onboards the sample model, and runs its worker.
/// The tests talk to the chain and the bucket directly, as a client, a dishonest prover and a committee member would.
/// </summary>
public class MarketRun : IAsyncLifetime
{
    /// <summary>How the provider's model is verified: these tests exercise the attestation committee.</summary>
    protected virtual ProofVerification Verification => ProofVerification.Attestation;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "zkml-e2e-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));

    public SampleStorage Storage { get; } = new()
    {
        Kind = "s3",
        Endpoint = TestServices.S3Endpoint,
        AccessKey = TestServices.S3AccessKey,
        SecretKey = TestServices.S3SecretKey,
        Bucket = "zkml-e2e-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)),
    };

    /// <summary>
    /// While this file exists, the provider's worker holds each request it starts proving in Proving (the sample's
    /// test hook Provider:HoldProvingWhileFileExists), so a test can kill it mid-proof.
    /// </summary>
    public string HoldProvingFile => Path.Combine(DataDirectory, "hold-proving");

    public SampleHost Provider { get; private set; } = null!;

    public EthereumRpcClient Rpc { get; } = new(new Uri(TestServices.RpcUrl));

    public SampleDeployment Deployment { get; private set; } = null!;

    public ProofMarketClient Market { get; private set; } = null!;

    public IArtifactStore Store { get; private set; } = null!;

    public MarketRecordStore Records { get; private set; } = null!;

    public RequestRecordStore Requests { get; private set; } = null!;

    public EzklEngine Engine { get; private set; } = null!;

    public ModelBundle Model { get; private set; } = null!;

    public ModelInfo ModelInfo { get; private set; } = null!;

    public BigInteger ChainId { get; private set; }

    public TransactionSender Client { get; private set; } = null!;

    public TransactionSender Dishonest { get; private set; } = null!;

    public EthereumAddress ProviderAddress => EthereumKey.FromHex(DevAccounts.Provider).Address;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        Provider = new SampleHost("Zkml.Provider",
        [
            "--Provider:DataDirectory=" + DataDirectory,
            "--Provider:LifetimeSeconds=1800",
            "--Provider:RpcUrl=" + TestServices.RpcUrl,
            "--Provider:Storage:Kind=s3",
            "--Provider:Storage:Endpoint=" + Storage.Endpoint,
            "--Provider:Storage:Bucket=" + Storage.Bucket,
            "--Provider:Storage:AccessKey=" + Storage.AccessKey,
            "--Provider:Storage:SecretKey=" + Storage.SecretKey,
            "--Provider:HoldProvingWhileFileExists=" + HoldProvingFile,
            "--Provider:Verification=" + Verification,
        ], new SampleHostOptions { ReadyPath = "/api/status" });
        await Provider.StartAsync();
        Deployment = SampleDeployment.TryLoad(DataDirectory) ?? throw new InvalidOperationException("no deployment.json");
        ChainId = await Rpc.GetChainIdAsync();
        var options = new TransactionSenderOptions { ReceiptPollingInterval = TimeSpan.FromMilliseconds(50) };
        Client = new TransactionSender(Rpc, EthereumKey.FromHex(DevAccounts.OtherClient), options);
        Dishonest = new TransactionSender(Rpc, EthereumKey.FromHex(DevAccounts.Keys[7]), options);
        Market = new ProofMarketClient(Rpc, EthereumAddress.Parse(Deployment.MarketAddress));
        (Store, Records) = await Storage.OpenAsync(DataDirectory);
        Requests = new RequestRecordStore(Store);
        Engine = await EzklEngine.CreateAsync(new EzklEngineOptions { MaxInstances = 1 });
        Model = await ModelBundle.LoadAsync(Store, Records, Deployment.ModelId!, forProving: true);
        ModelInfo = await Market.GetModelAsync(HexConverter.FromHex(Deployment.ModelId!));
    }

    public async Task DisposeAsync()
    {
        if (Provider is not null)
        {
            await Provider.DisposeAsync(); // waits until the process is gone: nothing writes to the folder or bucket after
        }

        if (Engine is not null)
        {
            await Engine.DisposeAsync();
        }

        Rpc.Dispose();
        await DeleteBucketAsync();
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    /// <summary>Deletes this run's bucket with everything in it (the run created it; nothing else uses it).</summary>
    private async Task DeleteBucketAsync()
    {
        var (store, _) = await Storage.OpenAsync(DataDirectory);
        var keys = new List<string>();
        await foreach (var item in store.ListAsync())
        {
            keys.Add(item.Key);
        }

        foreach (var key in keys)
        {
            await store.DeleteAsync(key);
        }

        (store as IDisposable)?.Dispose();
        var config = new AmazonS3Config
        {
            ServiceURL = Storage.Endpoint,
            ForcePathStyle = true,
            AuthenticationRegion = Storage.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        using var s3 = new AmazonS3Client(new BasicAWSCredentials(Storage.AccessKey, Storage.SecretKey), config);
        await s3.DeleteBucketAsync(Storage.Bucket);
    }

    /// <summary>A verifier node process (samples/Zkml.Verifier) on this run's deployment and bucket.</summary>
    public SampleHost Verifier(string key) => new("Zkml.Verifier",
    [
        "--Verifier:DataDirectory=" + DataDirectory,
        "--Verifier:Key=" + key,
        "--Verifier:LifetimeSeconds=900",
        "--Verifier:Storage:Kind=s3",
        "--Verifier:Storage:Endpoint=" + Storage.Endpoint,
        "--Verifier:Storage:Bucket=" + Storage.Bucket,
        "--Verifier:Storage:AccessKey=" + Storage.AccessKey,
        "--Verifier:Storage:SecretKey=" + Storage.SecretKey,
    ], new SampleHostOptions { ReadyPath = "/address", Lifetime = TimeSpan.FromMinutes(15) });

    /// <summary>The client stores an input and pays for a proof.</summary>
    public Task<SubmittedRequest> RequestAsync(float[] input, TimeSpan deadlineIn, IReadOnlyList<double>? commitTo = null) =>
        new ProofRequester(Engine, Store, Market.WithSender(Client)).RequestAsync(
            Model, input.Select(v => (double)v).ToArray(), deadlineIn, ModelInfo.Price, commitTo);

    /// <summary>Polls the on-chain state until it satisfies the condition (3 minutes at most).</summary>
    public async Task<ProofRequestState> WaitForChainAsync(BigInteger requestId, Func<ProofRequestState, bool> until)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var state = await Market.GetRequestAsync(requestId);
            if (until(state))
            {
                return state;
            }

            Assert.True(DateTime.UtcNow < deadline, $"request {requestId} stayed {state.Status}");
            await Task.Delay(100);
        }
    }

    /// <summary>Polls the provider's persisted record until it satisfies the condition (3 minutes at most).</summary>
    public async Task<RequestRecord> WaitForRecordAsync(BigInteger requestId, Func<RequestRecord, bool> until)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        while (true)
        {
            var record = await Requests.GetAsync(requestId.ToString());
            if (record is not null && until(record))
            {
                return record;
            }

            Assert.True(DateTime.UtcNow < deadline, $"request {requestId}: provider record stayed {record?.Status.ToString() ?? "absent"}");
            await Task.Delay(100);
        }
    }

    /// <summary>Every RequestFulfilled event of the market.</summary>
    public async Task<IReadOnlyList<RequestFulfilledEvent>> FulfilmentsAsync(BigInteger requestId) =>
        (await new RequestIndexer(Market, new RequestIndexerOptions { StartBlock = Deployment.DeploymentBlock }).ReadAsync())
            .OfType<RequestFulfilledEvent>().Where(e => e.RequestId == requestId).ToList();

    /// <summary>Moves chain time forward and mines a block.</summary>
    public async Task TravelAsync(TimeSpan by)
    {
        await Rpc.RequestAsync("evm_increaseTime", [JsonValue.Create((long)by.TotalSeconds)]);
        await Rpc.RequestAsync("evm_mine", []);
    }

    /// <summary>The proof-log statuses of a request, in order.</summary>
    public async Task<List<ProofStatus>> HistoryAsync(BigInteger requestId)
    {
        var statuses = new List<ProofStatus>();
        await foreach (var entry in Records.ReadProofHistoryAsync(requestId.ToString()))
        {
            statuses.Add(entry.Status);
        }

        return statuses;
    }
}

[CollectionDefinition(Name)]
public sealed class MarketRunCollection : ICollectionFixture<MarketRun>
{
    public const string Name = "market run";
}

/// <summary>The same market with the provider's default: its model verified on chain by its generated Halo2 verifier.</summary>
public sealed class OnChainMarketRun : MarketRun
{
    protected override ProofVerification Verification => ProofVerification.Halo2;
}

[CollectionDefinition(Name)]
public sealed class OnChainMarketRunCollection : ICollectionFixture<OnChainMarketRun>
{
    public const string Name = "on-chain market run";
}
