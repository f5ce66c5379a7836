using System.Net.Http.Json;
using System.Text.Json;
using Zkml.TestSupport;

namespace Zkml.Browser.Tests;

/// <summary>
/// The real provider host (samples/Zkml.Provider) as its own process (<see cref="SampleHost"/>) against the live anvil
/// chain (ZKML_TEST_RPC_URL), with filesystem storage in a fresh folder. It deploys the market, onboards the sample
/// model and runs its proof worker, exactly as the demo does.
/// </summary>
public sealed class ProviderHost : IAsyncDisposable
{
    private readonly SampleHost _host;
    private readonly string _dataDirectory;

    private ProviderHost(SampleHost host, string dataDirectory)
    {
        _host = host;
        _dataDirectory = dataDirectory;
    }

    /// <summary>The host's base address, e.g. http://127.0.0.1:40123/.</summary>
    public Uri BaseAddress => _host.BaseAddress;

    /// <summary>A client for the host's REST API.</summary>
    public HttpClient Http => _host.Http;

    /// <summary>The host's console output so far (for failure messages).</summary>
    public string Log => _host.Log;

    /// <summary>Starts the host and waits until it listens (after deploying and onboarding).</summary>
    public static async Task<ProviderHost> StartAsync()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("zkml-browser-host-").FullName;
        var lifetime = TimeSpan.FromMinutes(30);
        var host = new ProviderHost(new SampleHost("Zkml.Provider",
        [
            $"--Provider:DataDirectory={dataDirectory}", $"--Provider:RpcUrl={TestServices.RpcUrl}", "--Provider:Storage:Kind=filesystem",
            $"--Provider:LifetimeSeconds={(int)lifetime.TotalSeconds}",
        ], new SampleHostOptions { Lifetime = lifetime }), dataDirectory);
        try
        {
            await host._host.StartAsync();
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>Waits until onboarding registered a model, and returns the first one as /api/models lists it.</summary>
    public Task<JsonElement> WaitForModelAsync(TimeSpan timeout) => _host.PollAsync(async () =>
    {
        var models = await Http.GetFromJsonAsync<JsonElement>("api/models");
        return models.GetArrayLength() > 0 ? models[0] : (JsonElement?)null;
    }, timeout, "a registered model");

    /// <summary>Requests a proof through the REST API (the host's demo client pays) and returns the request id.</summary>
    public async Task<string> RequestProofAsync(string modelId, float[] input)
    {
        using var response = await Http.PostAsJsonAsync("api/requests", new { modelId, input = new[] { input } });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST /api/requests: {(int)response.StatusCode} {body}\n{Log}");
        using var json = JsonDocument.Parse(body);
        return ReadId(json.RootElement.GetProperty("requestId"));
    }

    /// <summary>Waits until a request reaches a final status and returns its RequestView.</summary>
    public Task<JsonElement> WaitForSettledAsync(string requestId, TimeSpan timeout) => _host.PollAsync(async () =>
    {
        // 404 until the worker has seen the request's event on chain and recorded it.
        using var response = await Http.GetAsync($"api/requests/{requestId}");
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var view = await response.Content.ReadFromJsonAsync<JsonElement>();
        return view.GetProperty("status").GetString() is "Fulfilled" or "Refunded" or "Failed" ? view : (JsonElement?)null;
    }, timeout, $"request {requestId} to settle");

    /// <summary>A request id as the API writes it (a JSON string or number), as text.</summary>
    public static string ReadId(JsonElement id) =>
        id.ValueKind == JsonValueKind.Number ? id.GetRawText() : id.GetString()!;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
