using System.Text.Json;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Zkml.Browser.Tests;

/// <summary>
/// Shared by the dashboard tests: one real provider host (deployed, onboarded, worker running), one proof it already
/// made through the REST API (so the history has something to show), and one headless chromium.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    /// <summary>Onboarding trains, compiles, makes the SRS and the keys: minutes on a busy 2-core machine.</summary>
    public static readonly TimeSpan OnboardingTimeout = TimeSpan.FromMinutes(10);

    /// <summary>One request from payment to settlement (lock, prove, attest, fulfil).</summary>
    public static readonly TimeSpan SettlementTimeout = TimeSpan.FromMinutes(5);

    public ProviderHost Host { get; private set; } = null!;

    public Chromium Browser { get; private set; } = null!;

    /// <summary>The onboarded model as /api/models lists it.</summary>
    public JsonElement Model { get; private set; }

    public string ModelId => Model.GetProperty("modelId").GetString()!;

    public int InputCount => Model.GetProperty("inputInstanceCount").GetInt32();

    /// <summary>A request the host fulfilled before any page was opened, as /api/requests/{id} reports it.</summary>
    public JsonElement FulfilledRequest { get; private set; }

    public string FulfilledRequestId => ProviderHost.ReadId(FulfilledRequest.GetProperty("requestId"));

    /// <summary>Where screenshots go (TestResults beside the test assembly); the path is printed by each test.</summary>
    public static string ScreenshotDirectory { get; } =
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public async Task InitializeAsync()
    {
        Host = await ProviderHost.StartAsync();
        Model = await Host.WaitForModelAsync(OnboardingTimeout);
        var requestId = await Host.RequestProofAsync(ModelId, SampleInput(seed: 1));
        FulfilledRequest = await Host.WaitForSettledAsync(requestId, SettlementTimeout);
        Assert.True(FulfilledRequest.GetProperty("status").GetString() == "Fulfilled",
            $"The host did not fulfil request {requestId}: {FulfilledRequest}\n{Host.Log}");
        Browser = await Chromium.LaunchAsync();
    }

    /// <summary>A deterministic input row of the model's width.</summary>
    public float[] SampleInput(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, InputCount).Select(_ => MathF.Round((float)(random.NextDouble() * 2 - 1), 3)).ToArray();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
