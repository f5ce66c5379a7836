using System.Numerics;
using Zkml.Ezkl;
using Zkml.Market;
using Zkml.Samples;
using Zkml.Storage;
using Zkml.Storage.Records;

namespace Zkml.Verifier;

/// <summary>This member's connection to the market: the market client and the signing node.</summary>
public sealed record MarketMember(ProofMarketClient Market, VerifierNode Node);

/// <summary>
/// Connects the member to the market the first time it is needed, asynchronously: the demo starts the committee before
/// the provider has deployed the market, so deployment.json (market address, chain) may appear only after this host
/// started. A failed attempt (no deployment yet, chain unreachable) is retried by the next caller.
/// </summary>
public sealed class MarketConnection(
    VerifierOptions options, EzklEngine engine, IArtifactStore store, MarketRecordStore records, ILogger<VerifierNode> logger)
{
    private readonly Lock _lock = new();
    private Task<MarketMember>? _member;

    /// <summary>The connected member; fails while the market is not deployed.</summary>
    public Task<MarketMember> GetAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (_member is null || _member.IsFaulted || _member.IsCanceled)
            {
                _member = ConnectAsync();
            }

            return _member.WaitAsync(cancellationToken);
        }
    }

    private async Task<MarketMember> ConnectAsync()
    {
        var deployment = SampleDeployment.TryLoad(options.DataDirectory)
            ?? throw new InvalidOperationException($"No {SampleDeployment.FileName} in {options.DataDirectory}: the provider has not deployed the market yet.");
        var rpc = new EthereumRpcClient(new Uri(options.RpcUrl ?? deployment.RpcUrl));
        var market = new ProofMarketClient(rpc, EthereumAddress.Parse(deployment.MarketAddress));
        BigInteger chainId = await rpc.GetChainIdAsync().ConfigureAwait(false);
        return new MarketMember(market, new VerifierNode(engine, store, records, market, EthereumKey.FromHex(options.Key), chainId, logger));
    }
}
