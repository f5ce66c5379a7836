using System.Numerics;

namespace Zkml.Market.Tests;

/// <summary>The event indexer: chain order, confirmation depth, and resuming from a stored cursor.</summary>
[Collection(AnvilCollection.Name)]
public class RequestIndexerTests(AnvilChain chain)
{
    /// <summary>A market of its own, so the test knows every event in it.</summary>
    private async Task<(ProofMarketClient Market, long StartBlock)> FreshMarketAsync()
    {
        var market = await ProofMarketClient.DeployAsync(chain.Deployer, AnvilChain.SlashBasisPoints);
        return (market, await chain.Rpc.GetBlockNumberAsync());
    }

    /// <summary>Register, two requests, lock, fulfil, a slashed refund (two events in one transaction), withdraw.</summary>
    private async Task MakeTrafficAsync(ProofMarketClient market)
    {
        var model = await chain.RegisterModelAsync(market: market);
        var instances = TestModel.Instances(1, 2, 3);
        var first = await model.RequestAsync(instances);
        var second = await model.RequestAsync(instances, TimeSpan.FromMinutes(5));
        var provider = market.WithSender(chain.Provider);
        await provider.LockAsync(first, model.Registration.LockCollateral);
        await provider.FulfilAsync(first, model.AttestedProof(first, [7], instances), instances, "s3://proof");
        await provider.LockAsync(second, model.Registration.LockCollateral);
        await chain.TravelAsync(TimeSpan.FromMinutes(6));
        await provider.RefundAsync(second);
        await provider.WithdrawAsync();
    }

    private static string Describe(MarketEvent e) => $"{e.Cursor} {e.GetType().Name}";

    [Fact]
    public async Task Reads_every_event_in_chain_order()
    {
        var (market, start) = await FreshMarketAsync();
        await MakeTrafficAsync(market);

        var events = await new RequestIndexer(market, new RequestIndexerOptions { StartBlock = start }).ReadAsync();

        Assert.Equal(
            ["ModelRegisteredEvent", "ProofRequestedEvent", "ProofRequestedEvent", "RequestLockedEvent", "CreditedEvent", "RequestFulfilledEvent",
             "RequestLockedEvent", "CollateralSlashedEvent", "CreditedEvent", "RequestRefundedEvent", "WithdrawalEvent"],
            events.Select(e => e.GetType().Name));
        Assert.Equal(events.OrderBy(e => e.Cursor).Select(e => e.Cursor), events.Select(e => e.Cursor));
        Assert.Equal(events.Count, events.Select(e => e.Cursor).Distinct().Count());
    }

    [Fact]
    public async Task Resumes_from_its_cursor_after_a_restart_without_missing_or_repeating_an_event()
    {
        var (market, start) = await FreshMarketAsync();
        await MakeTrafficAsync(market);
        var options = new RequestIndexerOptions { StartBlock = start, PollingInterval = TimeSpan.FromMilliseconds(50) };
        var all = (await new RequestIndexer(market, options).ReadAsync()).Select(Describe).ToList();

        // First run: process events up to the CollateralSlashed event (mid-block: its RequestRefunded sibling follows
        // in the same transaction), store the cursor as text, stop.
        var seen = new List<string>();
        string storedCursor = "";
        using (var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
        {
            await foreach (var e in new RequestIndexer(market, options).StreamAsync(null, cts.Token))
            {
                seen.Add(Describe(e));
                storedCursor = e.Cursor.ToString();
                if (e is CollateralSlashedEvent)
                {
                    break;
                }
            }
        }

        // New traffic while the indexer is down.
        var model = await chain.RegisterModelAsync(market: market);
        await model.RequestAsync(TestModel.Instances(4, 5));
        var expected = all.Concat((await new RequestIndexer(market, options).ReadAsync(EventCursor.Parse(all[^1].Split(' ')[0]))).Select(Describe)).ToList();

        // Second run: a new indexer from the stored cursor streams the rest, then an event made while it runs.
        using (var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
        {
            var resumed = new RequestIndexer(market, options);
            var live = Task.CompletedTask;
            await foreach (var e in resumed.StreamAsync(EventCursor.Parse(storedCursor), cts.Token))
            {
                seen.Add(Describe(e));
                if (seen.Count == expected.Count)
                {
                    live = model.RequestAsync(TestModel.Instances(6, 7)); // arrives while streaming
                }

                if (seen.Count == expected.Count + 1)
                {
                    break;
                }
            }

            await live;
        }

        Assert.Equal(expected, seen.Take(expected.Count));
        Assert.EndsWith("ProofRequestedEvent", seen[^1]);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task Events_are_delivered_only_after_the_confirmation_depth()
    {
        var (market, start) = await FreshMarketAsync();
        var indexer = new RequestIndexer(market, new RequestIndexerOptions { StartBlock = start, Confirmations = 3 });
        await chain.RegisterModelAsync(market: market);

        Assert.Empty(await indexer.ReadAsync());
        for (var i = 0; i < 3; i++)
        {
            await chain.Rpc.RequestAsync("evm_mine", []);
        }

        var registered = Assert.IsType<ModelRegisteredEvent>(Assert.Single(await indexer.ReadAsync()));
        Assert.Equal(chain.Provider.Address, registered.Model.Provider);
    }

    [Fact]
    public async Task Request_state_query_follows_the_life_cycle()
    {
        var (market, start) = await FreshMarketAsync();
        var indexer = new RequestIndexer(market, new RequestIndexerOptions { StartBlock = start });
        var model = await chain.RegisterModelAsync(market: market);
        var requestId = await model.RequestAsync(TestModel.Instances(1, 2));

        Assert.Equal(ProofRequestStatus.Open, (await indexer.GetRequestStateAsync(requestId)).Status);
        await market.WithSender(chain.Provider).LockAsync(requestId, model.Registration.LockCollateral);
        var locked = await indexer.GetRequestStateAsync(requestId);
        Assert.Equal(ProofRequestStatus.Locked, locked.Status);
        Assert.Equal(chain.Provider.Address, locked.Prover);
        Assert.Equal(ProofRequestStatus.None, (await indexer.GetRequestStateAsync(requestId + 100)).Status);
    }

    [Fact]
    public async Task Client_waits_for_its_requests_outcome()
    {
        var (market, start) = await FreshMarketAsync();
        var model = await chain.RegisterModelAsync(market: market);
        var instances = TestModel.Instances(8, 9);
        var requestId = await model.RequestAsync(instances);
        var other = await model.RequestAsync(instances);
        var indexer = new RequestIndexer(market, new RequestIndexerOptions { StartBlock = start, PollingInterval = TimeSpan.FromMilliseconds(20) });
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        var outcome = indexer.WaitForOutcomeAsync(requestId, null, cts.Token);
        var provider = market.WithSender(chain.Provider);
        await model.LockAsync(other);
        await model.LockAsync(requestId);
        await provider.FulfilAsync(other, model.AttestedProof(other, [1], instances), instances, "s3://other");
        await provider.FulfilAsync(requestId, model.AttestedProof(requestId, [2], instances), instances, "s3://mine");

        var fulfilled = Assert.IsType<RequestFulfilledEvent>(await outcome);
        Assert.Equal(requestId, fulfilled.RequestId);
        Assert.Equal("s3://mine", fulfilled.ProofUri);
    }

    [Fact]
    public async Task Pending_requests_are_the_open_and_locked_ones_before_their_deadline()
    {
        var (market, start) = await FreshMarketAsync();
        var model = await chain.RegisterModelAsync(market: market);
        var otherModel = await chain.RegisterModelAsync(market: market);
        var instances = TestModel.Instances(1, 2);
        var open = await model.RequestAsync(instances);
        var locked = await model.RequestAsync(instances);
        var fulfilled = await model.RequestAsync(instances);
        var expired = await model.RequestAsync(instances, TimeSpan.FromSeconds(30));
        var otherModels = await otherModel.RequestAsync(instances);
        var provider = market.WithSender(chain.Provider);
        await provider.LockAsync(locked, model.Registration.LockCollateral);
        await model.LockAsync(fulfilled);
        await provider.FulfilAsync(fulfilled, model.AttestedProof(fulfilled, [1], instances), instances, "s3://p");
        await chain.TravelAsync(TimeSpan.FromMinutes(1));
        var indexer = new RequestIndexer(market, new RequestIndexerOptions { StartBlock = start });

        var pending = await indexer.GetPendingRequestsAsync(model.Id);

        Assert.Equal([open, locked], pending.Select(p => p.State.RequestId));
        Assert.Equal("s3://inputs/x.json", pending[0].Requested.InputUri);
        Assert.Equal(ProofRequestStatus.Locked, pending[1].State.Status);
        Assert.Contains(otherModels, (await indexer.GetPendingRequestsAsync()).Select(p => p.State.RequestId));
        Assert.DoesNotContain(expired, (await indexer.GetPendingRequestsAsync()).Select(p => p.State.RequestId));
    }

    [Fact]
    public async Task Cancelling_a_running_stream_ends_it()
    {
        var (market, start) = await FreshMarketAsync();
        await chain.RegisterModelAsync(market: market);
        using var cts = new CancellationTokenSource();
        var indexer = new RequestIndexer(market, new RequestIndexerOptions { StartBlock = start, PollingInterval = TimeSpan.FromMilliseconds(20) });
        var firstEvent = new TaskCompletionSource<MarketEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var received = 0;

        var consume = Task.Run(async () =>
        {
            await foreach (var e in indexer.StreamAsync(null, cts.Token))
            {
                Interlocked.Increment(ref received);
                firstEvent.TrySetResult(e);
            }
        });
        // The stream is running: it delivered the one event and is now polling for more. A hang fails the test.
        Assert.IsType<ModelRegisteredEvent>(await firstEvent.Task.WaitAsync(TimeSpan.FromMinutes(1)));
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => consume.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal(1, received);
    }

    [Fact]
    public void Cursor_round_trips_as_text_and_rejects_garbage()
    {
        var cursor = new EventCursor(123, 4);
        Assert.Equal(cursor, EventCursor.Parse(cursor.ToString()));
        var hashed = new EventCursor(123, 4, "0x" + new string('a', 64));
        Assert.Equal(hashed.BlockHash, EventCursor.Parse(hashed.ToString()).BlockHash);
        Assert.Throws<EthereumFormatException>(() => EventCursor.Parse("123:4:0xabc"));
        Assert.Throws<EthereumFormatException>(() => EventCursor.Parse("-5:4"));
        Assert.True(new EventCursor(123, 5) > cursor);
        Assert.True(new EventCursor(124, 0) > new EventCursor(123, 9));
        Assert.Throws<EthereumFormatException>(() => EventCursor.Parse("12-3"));
    }
}
