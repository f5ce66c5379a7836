using System.Collections.Concurrent;
using System.Numerics;
using Microsoft.Extensions.Options;
using Zkml.Ezkl;
using Zkml.Market;
using Zkml.Samples;
using Zkml.Storage;
using Zkml.Storage.Records;
using Zkml.Storage.S3;

namespace Zkml.Provider;

/// <summary>
/// Everything the host's parts share once it is started: the chain clients, the deployment, the engine, the
/// storage, the onboarded model and an index of stored artifacts by sha256 (what /api/artifacts serves).
/// </summary>
public sealed partial class ProviderRuntime(
    IOptions<ProviderOptions> options, IArtifactStore store, MarketRecordStore records, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<ProviderRuntime>();
    private readonly ConcurrentDictionary<string, string> _artifactKeys = new(StringComparer.OrdinalIgnoreCase);
    private ModelBundle? _model;
    private SampleDeployment? _deployment;
    private ProofMarketClient? _market;
    private EzklEngine? _engine;
    private EthereumRpcClient? _rpc;

    /// <summary>The options.</summary>
    public ProviderOptions Options { get; } = options.Value;

    /// <summary>The artifact store.</summary>
    public IArtifactStore Store { get; } = store;

    /// <summary>Model commitments, the proof log and the audit trail.</summary>
    public MarketRecordStore Records { get; } = records;

    /// <summary>The provider's request records.</summary>
    public RequestRecordStore Requests { get; } = new(store);

    /// <summary>The chain.</summary>
    public EthereumRpcClient Rpc => _rpc ?? throw NotStarted();

    /// <summary>The market as the provider.</summary>
    public ProofMarketClient Market => _market ?? throw NotStarted();

    /// <summary>The market as the dashboard's demo client.</summary>
    public ProofMarketClient ClientMarket { get; private set; } = null!;

    /// <summary>The deployment.</summary>
    public SampleDeployment Deployment => _deployment ?? throw NotStarted();

    /// <summary>The engine.</summary>
    public EzklEngine Engine => _engine ?? throw NotStarted();

    /// <summary>The onboarded model (null until onboarding finished).</summary>
    public ModelBundle? Model => _model;

    /// <summary>The model's registration on chain.</summary>
    public ModelInfo? ModelInfo { get; private set; }

    /// <summary>The verifier committee.</summary>
    public IAttestationCommittee Committee { get; private set; } = null!;

    /// <summary>The chain id.</summary>
    public BigInteger ChainId { get; private set; }

    /// <summary>The provider's sender.</summary>
    public TransactionSender ProviderSender { get; private set; } = null!;

    /// <summary>Connects to the chain, deploys the market when needed, starts the engine and onboards the model.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Options.DataDirectory);
        if (Store is S3ArtifactStore s3)
        {
            await s3.CreateBucketIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        }

        _rpc = new EthereumRpcClient(new Uri(Options.RpcUrl));
        ChainId = await _rpc.GetChainIdAsync(cancellationToken).ConfigureAwait(false);
        var senderOptions = new TransactionSenderOptions { ReceiptPollingInterval = TimeSpan.FromMilliseconds(50) };
        ProviderSender = new TransactionSender(_rpc, EthereumKey.FromHex(Options.ProviderKey), senderOptions, loggers.CreateLogger<TransactionSender>());
        var client = new TransactionSender(_rpc, EthereumKey.FromHex(Options.ClientKey), senderOptions, loggers.CreateLogger<TransactionSender>());
        var deployer = new TransactionSender(_rpc, EthereumKey.FromHex(Options.DeployerKey), senderOptions, loggers.CreateLogger<TransactionSender>());

        _deployment = SampleDeployment.TryLoad(Options.DataDirectory);
        if (_deployment is null || _deployment.ChainId != (long)ChainId
            || (await _rpc.GetCodeAsync(EthereumAddress.Parse(_deployment.MarketAddress), cancellationToken).ConfigureAwait(false)).Length == 0)
        {
            if (!Options.Deploy)
            {
                throw new InvalidOperationException($"No ProofMarket deployed on {Options.RpcUrl} for {Options.DataDirectory}, and Provider:Deploy is false.");
            }

            var market = await ProofMarketClient.DeployAsync(deployer, cancellationToken: cancellationToken).ConfigureAwait(false);
            var block = await _rpc.GetBlockNumberAsync(cancellationToken).ConfigureAwait(false);
            _deployment = new SampleDeployment
            {
                RpcUrl = Options.RpcUrl, ChainId = (long)ChainId, MarketAddress = market.Address.ToString(), DeploymentBlock = block,
            };
            _deployment.Save(Options.DataDirectory);
            Log.Deployed(_logger, market.Address.ToString(), block);
        }

        _market = new ProofMarketClient(_rpc, EthereumAddress.Parse(_deployment.MarketAddress), ProviderSender);
        ClientMarket = _market.WithSender(client);
        _engine = await EzklEngine.CreateAsync(new EzklEngineOptions { MaxInstances = Options.EngineInstances }, loggers, cancellationToken)
            .ConfigureAwait(false);

        if (_deployment.ModelId is null || !(await _market.GetModelAsync(HexConverter.FromHex(_deployment.ModelId), cancellationToken).ConfigureAwait(false)).IsRegistered)
        {
            if (!Options.Onboard)
            {
                throw new InvalidOperationException("The sample model is not registered and Provider:Onboard is false.");
            }

            var onboarding = new Onboarding(this, deployer, loggers.CreateLogger<Onboarding>());
            _deployment = await onboarding.RunAsync(_deployment, cancellationToken).ConfigureAwait(false);
            _deployment.Save(Options.DataDirectory);
        }

        _model = await ModelBundle.LoadAsync(Store, Records, _deployment.ModelId!, forProving: true, cancellationToken).ConfigureAwait(false);
        ModelInfo = await _market.GetModelAsync(HexConverter.FromHex(_deployment.ModelId!), cancellationToken).ConfigureAwait(false);
        foreach (var artifact in _model.Commitment.Artifacts.Values)
        {
            RememberArtifact(artifact);
        }

        Committee = Options.VerifierUrls.Length > 0
            ? new RemoteCommittee(Options.VerifierUrls)
            : new InProcessCommittee(Options.CommitteeKeys.Select(k => new VerifierNode(
                _engine, Store, Records, _market.WithSender(ProviderSender), EthereumKey.FromHex(k), ChainId, loggers.CreateLogger<VerifierNode>())).ToArray());
        Log.Ready(_logger, _deployment.ModelId!, _deployment.MarketAddress);
    }

    /// <summary>Remembers where an artifact is, for /api/artifacts/{sha256}.</summary>
    public void RememberArtifact(ArtifactRef artifact) => _artifactKeys[artifact.Sha256] = artifact.Key;

    /// <summary>The key of a stored artifact by sha256, or null.</summary>
    public async ValueTask<string?> FindArtifactAsync(string sha256, CancellationToken cancellationToken = default)
    {
        if (_artifactKeys.TryGetValue(sha256, out var key))
        {
            return key;
        }

        await foreach (var record in Requests.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (var artifact in new[] { record.Proof, record.Input })
            {
                if (artifact is not null)
                {
                    RememberArtifact(artifact);
                }
            }
        }

        return _artifactKeys.TryGetValue(sha256, out key) ? key : null;
    }

    /// <summary>The chain's clock (<see cref="ChainClock"/>).</summary>
    public Task<DateTimeOffset> ChainNowAsync(CancellationToken cancellationToken = default) => ChainClock.NowAsync(Rpc, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_engine is not null)
        {
            await _engine.DisposeAsync().ConfigureAwait(false);
        }

        _rpc?.Dispose();
    }

    private static InvalidOperationException NotStarted() => new("The provider runtime is not started.");

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "deployed ProofMarket at {Market} (block {Block})")]
        public static partial void Deployed(ILogger logger, string market, long block);

        [LoggerMessage(2, LogLevel.Information, "provider ready: model {ModelId} on market {Market}")]
        public static partial void Ready(ILogger logger, string modelId, string market);
    }
}
