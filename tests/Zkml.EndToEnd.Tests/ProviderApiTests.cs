using System.Net;
using System.Numerics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Zkml.Market;
using Zkml.Samples;

namespace Zkml.EndToEnd.Tests;

/// <summary>The provider host's REST API (samples/Zkml.Provider/README.md) against the running host.</summary>
[Collection(MarketRunCollection.Name)]
public sealed class ProviderApiTests(MarketRun run)
{
    [Fact]
    public async Task Status_and_models_describe_the_deployment_and_every_artifact_is_served_with_its_sha256()
    {
        var status = await run.Provider.GetJsonAsync("/api/status");
        Assert.Equal((long)run.ChainId, status.GetProperty("chainId").GetInt64());
        Assert.Equal(run.Deployment.MarketAddress, status.GetProperty("marketAddress").GetString());
        Assert.Equal(run.ProviderAddress.ToString(), status.GetProperty("providerAddress").GetString());
        Assert.Equal("s3", status.GetProperty("storage").GetString());

        var model = Assert.Single((await run.Provider.GetJsonAsync("/api/models")).EnumerateArray());
        Assert.Equal(run.Deployment.ModelId, model.GetProperty("modelId").GetString());
        Assert.Equal(run.ModelInfo.Price.ToString(), model.GetProperty("priceWei").GetString());
        Assert.Equal(run.ModelInfo.InputInstanceCount, model.GetProperty("inputInstanceCount").GetInt32());
        var artifacts = model.GetProperty("artifacts");
        foreach (var name in new[] { "settings", "vk", "compiled", "srs", "onnx" })
        {
            var artifact = artifacts.GetProperty(name);
            var bytes = await run.Provider.Http.GetByteArrayAsync(artifact.GetProperty("url").GetString());
            Assert.Equal(artifact.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.Equal(artifact.GetProperty("size").GetInt64(), bytes.Length);
        }

        // The proving key is the provider's secret working material, not published.
        Assert.False(artifacts.TryGetProperty("pk", out _));
        var audit = await run.Provider.GetJsonAsync("/api/audit");
        Assert.True(audit.GetProperty("valid").GetBoolean());
        Assert.StartsWith("0x", audit.GetProperty("head").GetString());
    }

    [Fact]
    public async Task Bad_requests_get_clear_errors_and_change_nothing()
    {
        var before = await run.Market.GetNextRequestIdAsync();

        using var wrongLength = await run.Provider.Http.PostAsJsonAsync("/api/requests", new { input = new[] { new[] { 0.1, 0.2 } } });
        Assert.Equal(HttpStatusCode.BadRequest, wrongLength.StatusCode);
        Assert.Contains("input", await wrongLength.Content.ReadAsStringAsync());
        using var wrongModel = await run.Provider.Http.PostAsJsonAsync("/api/requests", new { modelId = "0x1234", input = new[] { new[] { 0.1, 0.2, 0.3, 0.4 } } });
        Assert.Equal(HttpStatusCode.BadRequest, wrongModel.StatusCode);
        using var unknown = await run.Provider.Http.GetAsync("/api/requests/987654");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var notAnId = await run.Provider.Http.GetAsync("/api/requests/abc");
        Assert.Equal(HttpStatusCode.NotFound, notAnId.StatusCode);
        using var noArtifact = await run.Provider.Http.GetAsync("/api/artifacts/" + new string('0', 64));
        Assert.Equal(HttpStatusCode.NotFound, noArtifact.StatusCode);

        Assert.Equal(before, await run.Market.GetNextRequestIdAsync());
    }

    [Fact]
    public async Task A_request_from_the_form_endpoint_is_paid_by_the_host_client_and_fulfilled()
    {
        using var response = await run.Provider.Http.PostAsJsonAsync("/api/requests",
            new { modelId = run.Deployment.ModelId, input = new[] { SampleModel.Example(2, seed: 5).Select(v => (double)v).ToArray() }, deadlineSeconds = 600 });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = BigInteger.Parse(accepted.GetProperty("requestId").GetString()!);

        var state = await run.WaitForChainAsync(id, s => s.Status is ProofRequestStatus.Fulfilled or ProofRequestStatus.Refunded);
        Assert.Equal(ProofRequestStatus.Fulfilled, state.Status);
        Assert.Equal(EthereumKey.FromHex(DevAccounts.Client).Address, state.Requester);
        await run.WaitForRecordAsync(id, r => r.Status == RequestStatus.Fulfilled && r.Txs.Fulfil is not null);
        var view = await run.Provider.GetJsonAsync($"/api/requests/{id}");
        Assert.Equal(accepted.GetProperty("tx").GetString(), view.GetProperty("txs").GetProperty("request").GetString());
        Assert.Equal(3, view.GetProperty("outputs").GetArrayLength());
        var newest = (await run.Provider.GetJsonAsync("/api/requests")).EnumerateArray().First();
        Assert.Equal(id.ToString(), newest.GetProperty("requestId").GetString());
    }
}
