using Zkml.Ezkl;
using Zkml.Market;
using Zkml.Samples;
using Zkml.Storage;
using Zkml.Storage.Records;

namespace Zkml.Verifier;

/// <summary>
/// Watches the market's fulfilments: for each, fetches the stored proof named by the fulfilment's proof URI,
/// verifies it with the model's stored verifying key and logs the verdict (a member's after-the-fact check of
/// what the committee attested).
/// </summary>
public sealed partial class FulfilmentWatcher(
    MarketConnection connection, EzklEngine engine, IArtifactStore store, MarketRecordStore records, VerifierOptions options, ILogger<FulfilmentWatcher> logger)
    : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // The provider writes deployment.json when it deploys the market; wait for it.
            SampleDeployment? deployment;
            while ((deployment = SampleDeployment.TryLoad(options.DataDirectory)) is null)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }

            var market = (await connection.GetAsync(stoppingToken)).Market;
            var indexer = new RequestIndexer(market, new RequestIndexerOptions { StartBlock = deployment.DeploymentBlock });
            var models = new Dictionary<string, ModelBundle>();
            await foreach (var e in indexer.StreamAsync(cancellationToken: stoppingToken))
            {
                if (e is not RequestFulfilledEvent fulfilled)
                {
                    continue;
                }

                try
                {
                    var request = await market.GetRequestAsync(fulfilled.RequestId, stoppingToken);
                    var modelId = HexConverter.ToHex(request.ModelId);
                    if (!models.TryGetValue(modelId, out var bundle))
                    {
                        models[modelId] = bundle = await ModelBundle.LoadAsync(store, records, modelId, forProving: false, stoppingToken);
                    }

                    var proof = Proof.FromBytes(await store.ReadAllBytesAsync(StoreUri.KeyOf(fulfilled.ProofUri), stoppingToken));
                    var result = await engine.VerifyAsync(proof, bundle.VerifyingKey, bundle.CircuitSettings, bundle.Srs, stoppingToken);
                    Log.Checked(logger, fulfilled.RequestId.ToString(), result.ToString());
                }
                catch (Exception ex) when (ex is StorageException or EzklException or FormatException or InvalidOperationException)
                {
                    Log.Unchecked(logger, fulfilled.RequestId.ToString(), ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "fulfilment of request {RequestId} re-verified: {Verdict}")]
        public static partial void Checked(ILogger logger, string requestId, string verdict);

        [LoggerMessage(2, LogLevel.Warning, "fulfilment of request {RequestId} could not be checked: {Reason}")]
        public static partial void Unchecked(ILogger logger, string requestId, string reason);
    }
}
