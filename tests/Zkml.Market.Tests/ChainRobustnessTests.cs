using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zkml.Market.Tests;

/// <summary>
/// What the chain can do to a client: reorganisations (anvil snapshot/revert) under a running indexer, dropped
/// transactions, a node on another chain.
/// </summary>
[Collection(AnvilCollection.Name)]
public class ChainRobustnessTests(AnvilChain chain)
{
    private static async Task<MarketEvent> NextAsync(IAsyncEnumerator<MarketEvent> events)
    {
        Assert.True(await events.MoveNextAsync());
        return events.Current;
    }

    /// <summary>
    /// A stream sees request 1 in block b; a reorganisation replaces block b by one holding another event (a model
    /// registration) and puts request 1's transaction in block b + 1; then request 2 comes. The stream must deliver the
    /// registration (at a position before its old cursor), request 1 only once, and request 2.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task Reorganisation_neither_loses_an_event_nor_repeats_a_request(int confirmations)
    {
        var market = await ProofMarketClient.DeployAsync(chain.Deployer, AnvilChain.SlashBasisPoints);
        var start = await chain.Rpc.GetBlockNumberAsync();
        var model = await chain.RegisterModelAsync(market: market);
        var instances = TestModel.Instances(1, 2);
        async Task MineAsync(int blocks)
        {
            for (var i = 0; i < blocks; i++)
            {
                await chain.Rpc.RequestAsync("evm_mine", []);
            }
        }

        await MineAsync(confirmations);
        var indexer = new RequestIndexer(market, new RequestIndexerOptions
        {
            StartBlock = start, Confirmations = confirmations, PollingInterval = TimeSpan.FromMilliseconds(20), ReorgRewindBlocks = 16,
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var events = indexer.StreamAsync(null, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.IsType<ModelRegisteredEvent>(await NextAsync(events));

        var snapshot = (await chain.Rpc.RequestAsync("evm_snapshot", [])).GetString()!;
        var deadline = DateTimeOffset.FromUnixTimeSeconds(await chain.NowAsync()) + TimeSpan.FromHours(1);
        var first = await market.WithSender(chain.Requester).RequestProofAsync(model.Id, model.InputCommitment(instances), "s3://first", deadline, model.Registration.Price);
        var raw = (await chain.Rpc.RequestAsync("eth_getRawTransactionByHash", [first.Receipt.TransactionHash])).GetString()!;
        await MineAsync(confirmations);
        if (confirmations == 0)
        {
            var seen = Assert.IsType<ProofRequestedEvent>(await NextAsync(events)); // delivered at once, before the reorganisation
            Assert.Equal(first.RequestId, seen.RequestId);
        }

        Assert.True((await chain.Rpc.RequestAsync("evm_revert", [JsonValue.Create(snapshot)])).GetBoolean());
        Assert.Null(await chain.Rpc.GetTransactionReceiptAsync(first.Receipt.TransactionHash));

        // The new branch: a registration where the request was, the same request transaction one block later, a new request.
        var other = await market.WithSender(chain.Provider).RegisterModelAsync(new ModelRegistration(
            RandomNumberGenerator.GetBytes(32), model.Verifier.Address, 1, 1, TimeSpan.FromMinutes(1), 1, "s3://other"));
        Assert.Equal(first.Receipt.BlockNumber, other.Receipt.BlockNumber);
        var again = (await chain.Rpc.RequestAsync("eth_sendRawTransaction", [JsonValue.Create(raw)])).GetString()!;
        Assert.Equal(first.Receipt.TransactionHash, again);
        var moved = (await chain.Requester.WaitForReceiptAsync(again)).BlockNumber;
        Assert.Equal(first.Receipt.BlockNumber + 1, moved);
        var second = await market.WithSender(chain.Requester).RequestProofAsync(model.Id, model.InputCommitment(instances), "s3://second", deadline, model.Registration.Price);
        await MineAsync(confirmations);

        var registered = Assert.IsType<ModelRegisteredEvent>(await NextAsync(events));
        Assert.Equal(other.ModelId, registered.Model.ModelId);
        var requests = new List<ProofRequestedEvent>();
        if (confirmations > 0)
        {
            requests.Add(Assert.IsType<ProofRequestedEvent>(await NextAsync(events)));
        }

        requests.Add(Assert.IsType<ProofRequestedEvent>(await NextAsync(events)));
        Assert.Equal(confirmations > 0 ? [first.RequestId, second.RequestId] : [second.RequestId], requests.Select(r => r.RequestId));
        Assert.Equal(moved, confirmations > 0 ? requests[0].Cursor.BlockNumber : moved);
        Assert.Equal("s3://second", requests[^1].InputUri);
    }

    [Fact]
    public async Task Dropped_transaction_is_replaced_with_the_same_nonce_and_leaves_no_gap()
    {
        var key = chain.Keys[9];
        var sender = new TransactionSender(chain.Rpc, key, new TransactionSenderOptions
        {
            ReceiptPollingInterval = TimeSpan.FromMilliseconds(20), ReplacementInterval = TimeSpan.FromMilliseconds(300),
        });
        var nonce = await chain.Rpc.GetTransactionCountAsync(key.Address, "latest");
        var to = chain.Keys[8].Address;

        string dropped;
        await chain.Rpc.RequestAsync("evm_setAutomine", [JsonValue.Create(false)]);
        try
        {
            dropped = await sender.SubmitAsync(new TransactionRequest(to, [], 12345));
            await chain.Rpc.RequestAsync("anvil_dropTransaction", [JsonValue.Create(dropped)]);
            Assert.Equal(JsonValueKind.Null, (await chain.Rpc.RequestAsync("eth_getTransactionByHash", [dropped])).ValueKind);
        }
        finally
        {
            await chain.Rpc.RequestAsync("evm_setAutomine", [JsonValue.Create(true)]);
        }

        var receipt = await sender.WaitForReceiptAsync(dropped);

        Assert.True(receipt.Succeeded);
        Assert.NotEqual(dropped, receipt.TransactionHash);
        var replacement = await chain.Rpc.RequestAsync("eth_getTransactionByHash", [receipt.TransactionHash]);
        Assert.Equal(nonce, HexConverter.ParseQuantity(replacement.GetProperty("nonce").GetString()!));
        var next = await sender.SendAsync(new TransactionRequest(to, [], 1));
        Assert.True(next.Succeeded);
        Assert.Equal(nonce + 2, await chain.Rpc.GetTransactionCountAsync(key.Address, "latest"));
    }

    [Fact]
    public async Task Transaction_lost_for_good_gives_back_its_nonce()
    {
        var key = chain.Keys[9];
        var sender = new TransactionSender(chain.Rpc, key, new TransactionSenderOptions
        {
            ReceiptPollingInterval = TimeSpan.FromMilliseconds(20), ReceiptTimeout = TimeSpan.FromMilliseconds(300), MaxReplacements = 0,
        });
        var nonce = await chain.Rpc.GetTransactionCountAsync(key.Address, "latest");
        string dropped;
        await chain.Rpc.RequestAsync("evm_setAutomine", [JsonValue.Create(false)]);
        try
        {
            dropped = await sender.SubmitAsync(new TransactionRequest(chain.Keys[8].Address, [], 1));
            await chain.Rpc.RequestAsync("anvil_dropTransaction", [JsonValue.Create(dropped)]);
        }
        finally
        {
            await chain.Rpc.RequestAsync("evm_setAutomine", [JsonValue.Create(true)]);
        }

        await Assert.ThrowsAsync<TransactionFailedException>(() => sender.WaitForReceiptAsync(dropped));
        var next = await sender.SendAsync(new TransactionRequest(chain.Keys[8].Address, [], 2));
        var mined = await chain.Rpc.RequestAsync("eth_getTransactionByHash", [next.TransactionHash]);
        Assert.Equal(nonce, HexConverter.ParseQuantity(mined.GetProperty("nonce").GetString()!));
    }

    [Fact]
    public async Task Sender_pinned_to_another_chain_refuses_to_sign()
    {
        var key = chain.Keys[9];
        var nonce = await chain.Rpc.GetTransactionCountAsync(key.Address, "latest");
        var mainnet = new TransactionSender(chain.Rpc, key, new TransactionSenderOptions { ExpectedChainId = 1 });

        var e = await Assert.ThrowsAsync<ChainIdMismatchException>(() => mainnet.SendAsync(new TransactionRequest(chain.Keys[8].Address, [], 1)));
        Assert.Equal(BigInteger.One, e.Expected);
        Assert.Equal(chain.ChainId, e.Actual);
        Assert.Equal(nonce, await chain.Rpc.GetTransactionCountAsync(key.Address, "latest"));
        await Assert.ThrowsAsync<ChainIdMismatchException>(() => ProofMarketClient.DeployAsync(mainnet));

        var pinned = new TransactionSender(chain.Rpc, key, new TransactionSenderOptions { ExpectedChainId = (long)chain.ChainId });
        Assert.True((await pinned.SendAsync(new TransactionRequest(chain.Keys[8].Address, [], 1))).Succeeded);
    }
}
