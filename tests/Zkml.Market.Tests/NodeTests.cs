using System.Numerics;
using System.Text.Json.Nodes;
using Zkml.TestSupport;

namespace Zkml.Market.Tests;

/// <summary>Transactions signed in C# against the live node, nonces under concurrency, and node errors.</summary>
[Collection(AnvilCollection.Name)]
public class NodeTests(AnvilChain chain)
{
    [Fact]
    public async Task Derived_addresses_are_the_nodes_funded_accounts()
    {
        var accounts = await chain.Rpc.RequestAsync("eth_accounts", []);
        var nodeAccounts = accounts.EnumerateArray().Take(10).Select(a => EthereumAddress.Parse(a.GetString()!.ToLowerInvariant()));
        Assert.Equal(chain.Keys.Select(k => k.Address), nodeAccounts);
        Assert.Equal(DevChain.Accounts.Select(a => EthereumAddress.Parse(a.Address)), nodeAccounts);
    }

    [Fact]
    public async Task Eip1559_transfer_signed_in_CSharp_is_accepted_and_moves_the_value()
    {
        var from = chain.Keys[9];
        var to = EthereumKey.FromHex("0x" + new string('1', 64)).Address;
        var nonce = await chain.Rpc.GetTransactionCountAsync(from.Address);
        var block = await chain.Rpc.GetBlockAsync();
        var toBefore = await chain.BalanceAsync(to);
        var tx = new Eip1559Transaction(chain.ChainId, nonce, 1_000_000_000, block.BaseFeePerGas * 2 + 1_000_000_000, 21000, to, 123_456_789, []);
        var raw = tx.Sign(from);

        var hash = await chain.Rpc.SendRawTransactionAsync(raw);
        var receipt = await chain.Senders[9].WaitForReceiptAsync(hash);

        Assert.Equal(HexConverter.ToHex(Eip1559Transaction.HashOf(raw)), hash);
        Assert.True(receipt.Succeeded);
        Assert.Equal(toBefore + 123_456_789, await chain.BalanceAsync(to));
        var onChain = await chain.Rpc.RequestAsync("eth_getTransactionByHash", [hash]);
        Assert.Equal(from.Address, EthereumAddress.Parse(onChain.GetProperty("from").GetString()!.ToLowerInvariant()));
        Assert.Equal("0x2", onChain.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Concurrent_sends_from_one_account_get_consecutive_nonces()
    {
        var sender = chain.Senders[9];
        var to = EthereumKey.FromHex("0x" + new string('2', 64)).Address;
        var start = await chain.Rpc.GetTransactionCountAsync(sender.Address);
        var toBefore = await chain.BalanceAsync(to);

        var receipts = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            sender.SendAsync(new TransactionRequest(to, [], 1000 + i))));

        Assert.All(receipts, r => Assert.True(r.Succeeded));
        Assert.Equal(start + 12, await chain.Rpc.GetTransactionCountAsync(sender.Address));
        Assert.Equal(toBefore + Enumerable.Range(0, 12).Sum(i => 1000 + i), await chain.BalanceAsync(to));
    }

    [Fact]
    public async Task Sender_recovers_when_its_cached_nonce_is_stale()
    {
        var key = chain.Keys[9];
        var sender = new TransactionSender(chain.Rpc, key);
        var to = EthereumKey.FromHex("0x" + new string('3', 64)).Address;
        await sender.SendAsync(new TransactionRequest(to, [], 1)); // caches the next nonce
        // Another process sends from the same account behind this sender's back.
        var other = new TransactionSender(chain.Rpc, key);
        await other.SendAsync(new TransactionRequest(to, [], 1));
        var count = await chain.Rpc.GetTransactionCountAsync(key.Address);
        var toBefore = await chain.BalanceAsync(to);

        var receipt = await sender.SendAsync(new TransactionRequest(to, [], 5)); // stale cache: re-read, re-signed, sent

        Assert.True(receipt.Succeeded);
        Assert.Equal(count + 1, await chain.Rpc.GetTransactionCountAsync(key.Address));
        Assert.Equal(toBefore + 5, await chain.BalanceAsync(to));
    }

    [Fact]
    public async Task Unknown_method_is_a_typed_rpc_error()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => chain.Rpc.RequestAsync("eth_noSuchMethod", [JsonValue.Create(1)]));
        Assert.Equal("eth_noSuchMethod", e.Method);
        Assert.NotEqual(0, e.Code);
        Assert.False(e.IsTransient);
    }

    [Fact]
    public async Task Transient_http_faults_are_retried_until_the_node_answers()
    {
        using var handler = new FlakyHandler(failures: 2) { InnerHandler = new HttpClientHandler() };
        using var http = new HttpClient(handler);
        using var rpc = new EthereumRpcClient(chain.Rpc.Endpoint, new EthereumRpcOptions { MaxRetries = 3, RetryDelay = TimeSpan.FromMilliseconds(10) }, http);

        Assert.Equal(chain.ChainId, await rpc.GetChainIdAsync());
        Assert.Equal(3, handler.Requests); // two 503s, then the real answer
    }

    [Fact]
    public async Task Transient_faults_beyond_the_retry_budget_surface_as_transient()
    {
        using var handler = new FlakyHandler(failures: 5) { InnerHandler = new HttpClientHandler() };
        using var http = new HttpClient(handler);
        using var rpc = new EthereumRpcClient(chain.Rpc.Endpoint, new EthereumRpcOptions { MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(10) }, http);

        var e = await Assert.ThrowsAsync<RpcException>(() => rpc.GetChainIdAsync());
        Assert.True(e.IsTransient);
        Assert.Equal(503, e.Code);
        Assert.Equal(3, handler.Requests);
    }

    [Fact]
    public async Task Answer_larger_than_the_limit_is_an_rpc_error()
    {
        using var rpc = new EthereumRpcClient(chain.Rpc.Endpoint, new EthereumRpcOptions { MaxResponseBytes = 200 });

        Assert.Equal(chain.ChainId, await rpc.GetChainIdAsync()); // a small answer passes
        var e = await Assert.ThrowsAsync<RpcException>(() => rpc.GetBlockAsync("latest")); // a block header is larger
        Assert.False(e.IsTransient);
        Assert.Contains("larger than 200 bytes", e.Message);
    }

    /// <summary>Answers the first requests with HTTP 503, then passes requests to the real node.</summary>
    private sealed class FlakyHandler(int failures) : DelegatingHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            ++Requests <= failures
                ? Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable))
                : base.SendAsync(request, cancellationToken);
    }

    [Fact]
    public async Task Cancelled_call_throws_OperationCanceledException_not_an_rpc_error()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chain.Rpc.GetBlockNumberAsync(cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chain.Market.GetRequestAsync(1, cts.Token));
    }

    [Fact]
    public async Task Unreachable_node_is_a_transient_error_after_the_retries()
    {
        var port = FreePort.Next(); // a port nobody listens on
        using var rpc = new EthereumRpcClient(new Uri($"http://127.0.0.1:{port}"), new EthereumRpcOptions { MaxRetries = 2, RetryDelay = TimeSpan.FromMilliseconds(10) });

        var e = await Assert.ThrowsAsync<RpcException>(() => rpc.GetChainIdAsync());

        Assert.True(e.IsTransient);
        Assert.Equal(0, e.Code);
    }

    [Fact]
    public async Task Mined_transaction_that_reverts_raises_TransactionFailedException_with_the_replayed_revert_data()
    {
        // A fixed gas limit skips estimation, so the revert happens on chain (status 0) and costs gas.
        var unknownRequest = BigInteger.Pow(2, 200) + 7;
        var data = Abi.AbiType.Parse("uint256").Encode(unknownRequest);
        var call = new TransactionRequest(chain.Market.Address, [.. Keccak256.Hash("refund(uint256)")[..4], .. data], GasLimit: 100_000);
        var e = await Assert.ThrowsAsync<TransactionFailedException>(() => chain.Senders[9].SendAsync(call));
        var receipt = await chain.Rpc.GetTransactionReceiptAsync(e.TransactionHash);
        Assert.False(receipt!.Succeeded);

        // The sender knows no ABI: it hands back the revert data of the replayed call, which decodes to the custom error.
        Assert.NotNull(e.RevertData);
        Assert.Contains(HexConverter.ToHex(e.RevertData), e.Message);
        var error = Market.ContractInvoker.DecodeError(e.RevertData);
        Assert.Equal("UnknownRequest", error?.Name);
        Assert.Equal(unknownRequest, Assert.Single(error!.Arguments).Value);
    }
}
