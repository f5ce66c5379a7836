using Zkml.Ezkl;
using Zkml.Market;
using Zkml.Samples;
using Zkml.Storage;
using Zkml.Storage.Records;
using Zkml.Verifier;

// A verifier committee member. It reads deployment.json (chain, market) from the data directory the provider
// wrote, shares the provider's artifact store, and answers:
//   GET  /address  -> its signing address (the provider registers it in the model's AttestationVerifier)
//   POST /attest   -> { requestId, proofKey, proofSha256 } -> { signer, signature | null, reason | null }
// It also watches the market: every fulfilment of a model it knows is re-verified from storage and logged.
var builder = WebApplication.CreateBuilder(args);
var options = builder.Configuration.GetSection("Verifier").Get<VerifierOptions>() ?? new VerifierOptions();
builder.Services.AddZkmlStorage(storage => options.Storage.Apply(storage, options.DataDirectory));
builder.Services.AddSingleton(options);
builder.Services.AddSingleton(sp =>
{
    var deployment = SampleDeployment.TryLoad(options.DataDirectory)
        ?? throw new InvalidOperationException($"No {SampleDeployment.FileName} in {options.DataDirectory}: the provider has not deployed the market yet.");
    var rpc = new EthereumRpcClient(new Uri(options.RpcUrl ?? deployment.RpcUrl));
    return new ProofMarketClient(rpc, EthereumAddress.Parse(deployment.MarketAddress));
});
builder.Services.AddSingleton(_ => EzklEngine.CreateAsync(new EzklEngineOptions { MaxInstances = 1 }).GetAwaiter().GetResult());
builder.Services.AddSingleton(sp =>
{
    var market = sp.GetRequiredService<ProofMarketClient>();
    var chainId = market.Rpc.GetChainIdAsync().GetAwaiter().GetResult();
    return new VerifierNode(sp.GetRequiredService<EzklEngine>(), sp.GetRequiredService<IArtifactStore>(), sp.GetRequiredService<MarketRecordStore>(),
        market, EthereumKey.FromHex(options.Key), chainId, sp.GetRequiredService<ILogger<VerifierNode>>());
});
builder.Services.AddHostedService<FulfilmentWatcher>();

var app = builder.Build();
var address = EthereumKey.FromHex(options.Key).Address.ToString();
app.MapGet("/address", () => address);
app.MapPost("/attest", (AttestationRequest candidate, VerifierNode node, CancellationToken ct) => node.AttestAsync(candidate, ct));
if (options.LifetimeSeconds > 0)
{
    _ = Task.Delay(TimeSpan.FromSeconds(options.LifetimeSeconds)).ContinueWith(_ => app.Lifetime.StopApplication(), TaskScheduler.Default);
}

await app.RunAsync();
