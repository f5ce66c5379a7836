using System.Numerics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Zkml.Market;

/// <summary>Options of <see cref="RequestIndexer"/>.</summary>
public sealed class RequestIndexerOptions
{
    /// <summary>Blocks an event must be buried under before it is delivered (0 = deliver at once). Default 0.</summary>
    public int Confirmations { get; set; }

    /// <summary>How often to look for new blocks when caught up. Default 1 s.</summary>
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most blocks per eth_getLogs query. Default 2000.</summary>
    public int MaxBlocksPerQuery { get; set; } = 2000;

    /// <summary>The first block to read when starting from <see cref="EventCursor.Beginning"/> (the market's deployment block). Default 0.</summary>
    public long StartBlock { get; set; }

    /// <summary>
    /// How many blocks to read again when a reorganisation replaced the cursor's block (events already delivered by the
    /// same stream are not delivered twice). Default 64.
    /// </summary>
    public int ReorgRewindBlocks { get; set; } = 64;
}

/// <summary>
/// Streams the ProofMarket's events in chain order as they are confirmed, from a resumable <see cref="EventCursor"/>:
/// store the cursor of the last event you processed and pass it back after a restart to continue without missing or
/// repeating an event. A log that does not decode (or holds values out of range) is logged and skipped, never retried.
/// The cursor carries its block's hash: when a reorganisation replaced that block, the indexer reads the last
/// <see cref="RequestIndexerOptions.ReorgRewindBlocks"/> blocks again and delivers what it had not delivered yet.
/// </summary>
public sealed partial class RequestIndexer
{
    private readonly ProofMarketClient _market;
    private readonly RequestIndexerOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates an indexer for a market.</summary>
    public RequestIndexer(ProofMarketClient market, RequestIndexerOptions? options = null, ILogger<RequestIndexer>? logger = null)
    {
        _market = market ?? throw new ArgumentNullException(nameof(market));
        _options = options ?? new RequestIndexerOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Every market event after <paramref name="after"/>, waiting for new ones when caught up, until cancelled.
    /// Cancellation ends the enumeration with an <see cref="OperationCanceledException"/>.
    /// </summary>
    public async IAsyncEnumerable<MarketEvent> StreamAsync(EventCursor? after = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var session = new Session(after ?? EventCursor.Beginning);
        while (true)
        {
            var caughtUp = true;
            await foreach (var evt in ReadBatchAsync(session, cancellationToken).ConfigureAwait(false))
            {
                caughtUp = false;
                yield return evt;
            }

            if (caughtUp)
            {
                await Task.Delay(_options.PollingInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Waits for a request's outcome: the first <see cref="RequestFulfilledEvent"/> or <see cref="RequestRefundedEvent"/>
    /// of that request after <paramref name="after"/> (a client calls this after paying for a proof).
    /// </summary>
    public async Task<MarketEvent> WaitForOutcomeAsync(BigInteger requestId, EventCursor? after = null, CancellationToken cancellationToken = default)
    {
        await foreach (var evt in StreamAsync(after, cancellationToken).ConfigureAwait(false))
        {
            if ((evt is RequestFulfilledEvent f && f.RequestId == requestId) || (evt is RequestRefundedEvent r && r.RequestId == requestId))
            {
                return evt;
            }
        }

        throw new InvalidOperationException("The event stream ended."); // StreamAsync only ends by cancellation
    }

    /// <summary>The confirmed market events after <paramref name="after"/> up to the current confirmed head, then stops.</summary>
    public async Task<IReadOnlyList<MarketEvent>> ReadAsync(EventCursor? after = null, CancellationToken cancellationToken = default)
    {
        var events = new List<MarketEvent>();
        var session = new Session(after ?? EventCursor.Beginning);
        while (true)
        {
            var count = events.Count;
            await foreach (var evt in ReadBatchAsync(session, cancellationToken).ConfigureAwait(false))
            {
                events.Add(evt);
            }

            if (events.Count == count)
            {
                return events;
            }
        }
    }

    /// <summary>
    /// Requests that still wait for a proof (Open, or Locked before their deadline), optionally for one model, with the
    /// event that created them (it carries the input URI) and their current state: what a provider polls for work.
    /// </summary>
    public async Task<IReadOnlyList<PendingRequest>> GetPendingRequestsAsync(byte[]? modelId = null, CancellationToken cancellationToken = default)
    {
        var now = (await _market.Rpc.GetBlockAsync("latest", cancellationToken).ConfigureAwait(false)).Timestamp;
        var pending = new List<PendingRequest>();
        foreach (var requested in (await ReadAsync(null, cancellationToken).ConfigureAwait(false)).OfType<ProofRequestedEvent>())
        {
            if (modelId is not null && !requested.ModelId.AsSpan().SequenceEqual(modelId))
            {
                continue;
            }

            var state = await _market.GetRequestAsync(requested.RequestId, cancellationToken).ConfigureAwait(false);
            if (state.Status is ProofRequestStatus.Open or ProofRequestStatus.Locked && state.Deadline.ToUnixTimeSeconds() >= now)
            {
                pending.Add(new PendingRequest(requested, state));
            }
        }

        return pending;
    }

    /// <summary>The current state of a request.</summary>
    public Task<ProofRequestState> GetRequestStateAsync(BigInteger requestId, CancellationToken cancellationToken = default) =>
        _market.GetRequestAsync(requestId, cancellationToken);

    /// <summary>Events after the session's cursor, reading blocks up to the confirmed head in chunks.</summary>
    private async IAsyncEnumerable<MarketEvent> ReadBatchAsync(Session session, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var head = await _market.Rpc.GetBlockNumberAsync(cancellationToken).ConfigureAwait(false) - Math.Max(0, _options.Confirmations);
        await CheckForReorgAsync(session, head, cancellationToken).ConfigureAwait(false);
        var after = session.Cursor;
        // The cursor's own block is read again: events in it at or before the cursor are skipped below.
        var from = Math.Max(Math.Max(after.BlockNumber, 0), _options.StartBlock);
        while (from <= head)
        {
            var to = Math.Min(head, from + Math.Max(1, _options.MaxBlocksPerQuery) - 1);
            var logs = await _market.Rpc.GetLogsAsync(from, to, _market.Address, ProofMarketClient.EventTopics, cancellationToken).ConfigureAwait(false);
            Log.Scanned(_logger, from, to, logs.Count);
            foreach (var log in logs.Where(l => !l.Removed).OrderBy(l => l.BlockNumber).ThenBy(l => l.LogIndex))
            {
                var at = new EventCursor(log.BlockNumber, log.LogIndex, log.BlockHash);
                if (at <= after)
                {
                    continue;
                }

                session.Cursor = at;
                if (!session.Deliver(log, head))
                {
                    continue; // delivered before a reorganisation moved it
                }

                MarketEvent? evt;
                try
                {
                    evt = ProofMarketClient.DecodeEvent(log);
                }
                catch (EthereumFormatException e)
                {
                    Log.Skipped(_logger, log.TransactionHash, log.BlockNumber, log.LogIndex, e.Message);
                    continue;
                }

                if (evt is not null)
                {
                    yield return evt;
                }
            }

            from = to + 1;
        }
    }

    /// <summary>When the cursor's block is no longer on the chain, moves the cursor back by the rewind depth.</summary>
    private async Task CheckForReorgAsync(Session session, long head, CancellationToken cancellationToken)
    {
        var cursor = session.Cursor;
        if (cursor.BlockHash is null || cursor.BlockNumber <= 0)
        {
            return;
        }

        string? current = null;
        if (cursor.BlockNumber <= head + Math.Max(0, _options.Confirmations))
        {
            try
            {
                current = (await _market.Rpc.GetBlockAsync(cursor.BlockNumber, cancellationToken).ConfigureAwait(false)).Hash;
            }
            catch (RpcException e) when (!e.IsTransient)
            {
                current = null; // the block is gone (the chain got shorter)
            }
        }

        if (string.Equals(current, cursor.BlockHash, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var rewound = new EventCursor(Math.Max(_options.StartBlock, cursor.BlockNumber - Math.Max(1, _options.ReorgRewindBlocks)), -1);
        Log.Reorganised(_logger, cursor.ToString(), current ?? "(none)", rewound.BlockNumber);
        session.Cursor = rewound;
    }

    /// <summary>The position of one stream, and what it delivered recently (so a rewind after a reorg repeats nothing).</summary>
    private sealed class Session(EventCursor cursor)
    {
        private readonly Dictionary<string, long> _delivered = new(StringComparer.Ordinal);

        public EventCursor Cursor { get; set; } = cursor;

        /// <summary>Records the log as delivered; false when this stream delivered it already (in another block).</summary>
        public bool Deliver(LogEntry log, long head)
        {
            // A log keeps its transaction and content when a reorganisation moves it; its block and index change.
            var key = log.TransactionHash.ToLowerInvariant() + ":" + Convert.ToHexString(Keccak256.Hash(
                [.. log.Topics.SelectMany(t => t), .. log.Data]));
            if (_delivered.ContainsKey(key))
            {
                return false;
            }

            _delivered[key] = log.BlockNumber;
            if (_delivered.Count > 4096)
            {
                foreach (var old in _delivered.Where(d => d.Value < head - 4096).Select(d => d.Key).ToArray())
                {
                    _delivered.Remove(old);
                }
            }

            return true;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "Scanned blocks {From}..{To}: {Count} market logs")]
        public static partial void Scanned(ILogger logger, long from, long to, int count);

        [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Skipped the market log of {Transaction} (block {Block}, index {LogIndex}): {Reason}")]
        public static partial void Skipped(ILogger logger, string transaction, long block, int logIndex, string reason);

        [LoggerMessage(EventId = 22, Level = LogLevel.Warning, Message = "Block of cursor {Cursor} was replaced (now {Hash}): reading again from block {From}")]
        public static partial void Reorganised(ILogger logger, string cursor, string hash, long from);
    }
}
