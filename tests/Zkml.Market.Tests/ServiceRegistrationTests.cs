using Microsoft.Extensions.DependencyInjection;
using Zkml.TestSupport;

namespace Zkml.Market.Tests;

/// <summary>The DI registration wires a working client against the live node.</summary>
[Collection(AnvilCollection.Name)]
public class ServiceRegistrationTests(AnvilChain chain)
{
    [Fact]
    public async Task AddZkmlMarket_resolves_a_client_that_reads_and_sends()
    {
        var services = new ServiceCollection().AddZkmlMarket(o =>
        {
            o.RpcUrl = chain.Rpc.Endpoint;
            o.MarketAddress = chain.Market.Address.ToString();
            o.PrivateKey = DevChain.Accounts[1].PrivateKey;
        });
        await using var provider = services.BuildServiceProvider();

        var market = provider.GetRequiredService<ProofMarketClient>();
        var indexer = provider.GetRequiredService<RequestIndexer>();

        Assert.Equal(chain.Market.Address, market.Address);
        Assert.Equal(chain.Provider.Address, market.Account);
        Assert.Equal(await chain.Market.GetNextRequestIdAsync(), await market.GetNextRequestIdAsync());
        Assert.Equal(ProofRequestStatus.None, (await indexer.GetRequestStateAsync(10_000)).Status);
    }

    [Fact]
    public void AddZkmlMarket_without_an_address_fails_with_a_clear_error()
    {
        var services = new ServiceCollection().AddZkmlMarket(o => o.RpcUrl = new Uri("http://127.0.0.1:1"));
        using var provider = services.BuildServiceProvider();

        var e = Assert.Throws<MarketException>(() => provider.GetRequiredService<ProofMarketClient>());
        Assert.Contains("MarketAddress", e.Message, StringComparison.Ordinal);
    }
}
