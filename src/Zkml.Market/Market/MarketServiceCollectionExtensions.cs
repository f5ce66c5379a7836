using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Zkml.Market;

/// <summary>Settings for <see cref="MarketServiceCollectionExtensions.AddZkmlMarket"/>.</summary>
public sealed class ProofMarketOptions
{
    /// <summary>The node's JSON-RPC URL.</summary>
    public Uri? RpcUrl { get; set; }

    /// <summary>The ProofMarket contract's address (0x hex).</summary>
    public string? MarketAddress { get; set; }

    /// <summary>The private key (hex) of the account that sends transactions; null for a read-only client.</summary>
    public string? PrivateKey { get; set; }

    /// <summary>RPC retry settings.</summary>
    public EthereumRpcOptions Rpc { get; set; } = new();

    /// <summary>Transaction settings.</summary>
    public TransactionSenderOptions Transactions { get; set; } = new();

    /// <summary>Indexer settings.</summary>
    public RequestIndexerOptions Indexer { get; set; } = new();
}

/// <summary>Dependency-injection registration of the market client.</summary>
public static class MarketServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="EthereumRpcClient"/>, <see cref="ProofMarketClient"/> and <see cref="RequestIndexer"/> as
    /// singletons (and a <see cref="TransactionSender"/> when a private key is configured).
    /// </summary>
    public static IServiceCollection AddZkmlMarket(this IServiceCollection services, Action<ProofMarketOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ProofMarketOptions>>().Value;
            var url = options.RpcUrl ?? throw new MarketException("ProofMarketOptions.RpcUrl is not set.");
            return new EthereumRpcClient(url, options.Rpc, null, sp.GetService<ILogger<EthereumRpcClient>>());
        });
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ProofMarketOptions>>().Value;
            var address = EthereumAddress.Parse(options.MarketAddress ?? throw new MarketException("ProofMarketOptions.MarketAddress is not set."));
            TransactionSender? sender = options.PrivateKey is { Length: > 0 } key
                ? new TransactionSender(sp.GetRequiredService<EthereumRpcClient>(), EthereumKey.FromHex(key), options.Transactions,
                    sp.GetService<ILogger<TransactionSender>>())
                : null;
            return new ProofMarketClient(sp.GetRequiredService<EthereumRpcClient>(), address, sender);
        });
        services.AddSingleton(sp => new RequestIndexer(
            sp.GetRequiredService<ProofMarketClient>(),
            sp.GetRequiredService<IOptions<ProofMarketOptions>>().Value.Indexer,
            sp.GetService<ILogger<RequestIndexer>>()));
        return services;
    }
}
