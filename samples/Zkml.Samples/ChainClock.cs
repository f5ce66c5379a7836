using Zkml.Market;

namespace Zkml.Samples;

/// <summary>
/// The time the next block will carry. A dev chain mines only on transactions, so the latest block's timestamp
/// can trail the wall clock; the next block's is at least the wall clock (and ahead of it after time travel).
/// </summary>
public static class ChainClock
{
    /// <summary>The later of the latest block's timestamp and the wall clock.</summary>
    public static async Task<DateTimeOffset> NowAsync(EthereumRpcClient rpc, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        var block = DateTimeOffset.FromUnixTimeSeconds((await rpc.GetBlockAsync("latest", cancellationToken).ConfigureAwait(false)).Timestamp);
        var wall = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        return block > wall ? block : wall;
    }
}
