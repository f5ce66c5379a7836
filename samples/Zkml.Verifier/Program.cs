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
// Created before the host is built (nothing blocks on async work inside a DI factory); disposed after the host stops.
await using var engine = await EzklEngine.CreateAsync(new EzklEngineOptions { MaxInstances = 1 });
builder.Services.AddSingleton(engine);
builder.Services.AddSingleton<MarketConnection>();
builder.Services.AddHostedService<FulfilmentWatcher>();

var app = builder.Build();
var address = EthereumKey.FromHex(options.Key).Address.ToString();
app.MapGet("/address", () => address);
app.MapPost("/attest", async (AttestationRequest candidate, MarketConnection connection, CancellationToken ct) =>
    await (await connection.GetAsync(ct)).Node.AttestAsync(candidate, ct));
if (options.LifetimeSeconds > 0)
{
    _ = Task.Delay(TimeSpan.FromSeconds(options.LifetimeSeconds)).ContinueWith(_ => app.Lifetime.StopApplication(), TaskScheduler.Default);
}

await app.RunAsync();
