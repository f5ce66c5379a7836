using Zkml.Provider;

var builder = WebApplication.CreateBuilder(args);
builder.Services.Configure<ProviderOptions>(builder.Configuration.GetSection("Provider"));
var options = builder.Configuration.GetSection("Provider").Get<ProviderOptions>() ?? new ProviderOptions();
builder.Services.AddZkmlStorage(storage => options.Storage.Apply(storage, options.DataDirectory));
builder.Services.AddSingleton<ProviderRuntime>();
if (options.Worker)
{
    builder.Services.AddHostedService<ProofWorker>();
}

ProviderPipeline.ConfigureServices(builder.Services);
var app = builder.Build();

// Deploy, onboard and load the model before the host listens: the API then always has a model to show.
await app.Services.GetRequiredService<ProviderRuntime>().StartAsync(app.Lifetime.ApplicationStopping);
if (options.LifetimeSeconds > 0)
{
    _ = Task.Delay(TimeSpan.FromSeconds(options.LifetimeSeconds), app.Lifetime.ApplicationStopping)
        .ContinueWith(_ => app.Lifetime.StopApplication(), TaskScheduler.Default);
}

ProviderPipeline.Configure(app);
await app.RunAsync();

/// <summary>The host's entry point (public for WebApplicationFactory-style hosting in tests).</summary>
public partial class Program;
