using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Zkml.Market;

/// <summary>
/// A JSON-RPC client for an Ethereum node over HTTP. Transient faults (network errors, HTTP 429/502/503/504,
/// timeouts) are retried with exponential back-off; node errors surface as <see cref="RpcException"/>, whose
/// <see cref="RpcException.Data"/> carries revert data.
/// </summary>
public sealed partial class EthereumRpcClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly EthereumRpcOptions _options;
    private readonly ILogger _logger;
    private long _nextId;

    /// <summary>Creates a client for the node at <paramref name="endpoint"/>.</summary>
    /// <param name="endpoint">The node's HTTP JSON-RPC URL.</param>
    /// <param name="options">Retry and timeout settings.</param>
    /// <param name="httpClient">An HttpClient to use (not disposed by this client); null creates one.</param>
    /// <param name="logger">Logs retries.</param>
    public EthereumRpcClient(Uri endpoint, EthereumRpcOptions? options = null, HttpClient? httpClient = null, ILogger<EthereumRpcClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        Endpoint = endpoint;
        _options = options ?? new EthereumRpcOptions();
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The node's URL.</summary>
    public Uri Endpoint { get; }

    /// <summary>Sends one JSON-RPC request and returns its <c>result</c>.</summary>
    /// <exception cref="RpcException">The node returned an error, or could not be reached after the retries.</exception>
    public async Task<JsonElement> RequestAsync(string method, IReadOnlyList<JsonNode?> parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        var request = new JsonObject
        {
            ["jsonrpc"] = "2.0",
            ["id"] = Interlocked.Increment(ref _nextId),
            ["method"] = method,
            ["params"] = new JsonArray(parameters.Select(p => p?.DeepClone()).ToArray()),
        };
        var body = request.ToJsonString();
        var delay = _options.RetryDelay;
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await SendOnceAsync(method, body, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (e.IsTransient && attempt < _options.MaxRetries)
            {
                Log.Retrying(_logger, method, attempt + 1, e.Message);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay *= 2;
            }
        }
    }

    private async Task<JsonElement> SendOnceAsync(string method, string body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        HttpResponseMessage response;
        try
        {
            using var content = new StringContent(body, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = content };
            // Headers first: the body is then buffered up to MaxResponseBytes, not whatever the node sends.
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new RpcException(method, 0, "the node could not be reached: " + e.Message, null, isTransient: true, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RpcException(method, 0, "the request timed out", null, isTransient: true, e);
        }

        using (response)
        {
            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway
                or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout)
            {
                throw new RpcException(method, (int)response.StatusCode, "HTTP " + (int)response.StatusCode, null, isTransient: true);
            }

            try
            {
                // A node (or something posing as one) cannot make the client buffer more than MaxResponseBytes.
                await response.Content.LoadIntoBufferAsync(_options.MaxResponseBytes, timeout.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                throw new RpcException(method, (int)response.StatusCode, $"the node's answer is larger than {_options.MaxResponseBytes} bytes or broken", null, false, e);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new RpcException(method, 0, "the request timed out", null, isTransient: true, e);
            }

            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException e)
            {
                throw new RpcException(method, (int)response.StatusCode, "the node's answer is not JSON", null, false, e);
            }

            using (document)
            {
                var root = document.RootElement;
                if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
                {
                    var code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var ci) ? ci : 0;
                    var message = error.TryGetProperty("message", out var m) ? m.GetString() ?? "" : "";
                    string? data = error.TryGetProperty("data", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                    throw new RpcException(method, code, message, data);
                }

                return root.TryGetProperty("result", out var result)
                    ? result.Clone()
                    : throw new RpcException(method, 0, "the node's answer has neither result nor error", null);
            }
        }
    }

    /// <summary>eth_chainId.</summary>
    public async Task<BigInteger> GetChainIdAsync(CancellationToken cancellationToken = default) =>
        Quantity(await RequestAsync("eth_chainId", [], cancellationToken).ConfigureAwait(false));

    /// <summary>eth_blockNumber.</summary>
    public async Task<long> GetBlockNumberAsync(CancellationToken cancellationToken = default) =>
        (long)Quantity(await RequestAsync("eth_blockNumber", [], cancellationToken).ConfigureAwait(false));

    /// <summary>eth_getBalance at a block tag ("latest" by default).</summary>
    public async Task<BigInteger> GetBalanceAsync(EthereumAddress address, string block = "latest", CancellationToken cancellationToken = default) =>
        Quantity(await RequestAsync("eth_getBalance", [address.ToString(), block], cancellationToken).ConfigureAwait(false));

    /// <summary>eth_getTransactionCount (the next nonce) at a block tag ("pending" by default).</summary>
    public async Task<BigInteger> GetTransactionCountAsync(EthereumAddress address, string block = "pending", CancellationToken cancellationToken = default) =>
        Quantity(await RequestAsync("eth_getTransactionCount", [address.ToString(), block], cancellationToken).ConfigureAwait(false));

    /// <summary>eth_getCode.</summary>
    public async Task<byte[]> GetCodeAsync(EthereumAddress address, CancellationToken cancellationToken = default) =>
        HexConverter.FromHex((await RequestAsync("eth_getCode", [address.ToString(), "latest"], cancellationToken).ConfigureAwait(false)).GetString()!);

    /// <summary>eth_call: runs a call without a transaction and returns its output.</summary>
    public async Task<byte[]> CallAsync(EthereumAddress to, byte[] data, EthereumAddress? from = null, string block = "latest", CancellationToken cancellationToken = default)
    {
        var call = CallObject(from, to, data, BigInteger.Zero);
        return HexConverter.FromHex((await RequestAsync("eth_call", [call, block], cancellationToken).ConfigureAwait(false)).GetString()!);
    }

    /// <summary>
    /// eth_call of a whole transaction (its value included) from <paramref name="from"/> at a block tag or number:
    /// runs it without sending it, e.g. to replay a mined transaction and read why it reverted.
    /// </summary>
    public async Task<byte[]> CallAsync(EthereumAddress from, TransactionRequest transaction, string block = "latest", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var call = CallObject(from, transaction.To, transaction.Data, transaction.Value);
        return HexConverter.FromHex((await RequestAsync("eth_call", [call, block], cancellationToken).ConfigureAwait(false)).GetString()!);
    }

    /// <summary>eth_estimateGas for a transaction from <paramref name="from"/>.</summary>
    public async Task<BigInteger> EstimateGasAsync(EthereumAddress from, TransactionRequest transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var call = CallObject(from, transaction.To, transaction.Data, transaction.Value);
        return Quantity(await RequestAsync("eth_estimateGas", [call], cancellationToken).ConfigureAwait(false));
    }

    /// <summary>eth_maxPriorityFeePerGas.</summary>
    public async Task<BigInteger> GetMaxPriorityFeePerGasAsync(CancellationToken cancellationToken = default) =>
        Quantity(await RequestAsync("eth_maxPriorityFeePerGas", [], cancellationToken).ConfigureAwait(false));

    /// <summary>eth_sendRawTransaction; returns the transaction hash.</summary>
    public async Task<string> SendRawTransactionAsync(byte[] rawTransaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rawTransaction);
        try
        {
            return (await RequestAsync("eth_sendRawTransaction", [HexConverter.ToHex(rawTransaction)], cancellationToken).ConfigureAwait(false)).GetString()!;
        }
        catch (RpcException e) when (e.Message.Contains("already known", StringComparison.OrdinalIgnoreCase))
        {
            // A retried send whose first attempt reached the node: the transaction is in the pool.
            return HexConverter.ToHex(Eip1559Transaction.HashOf(rawTransaction));
        }
    }

    /// <summary>eth_getTransactionReceipt; null while the transaction is not mined.</summary>
    public async Task<TransactionReceipt?> GetTransactionReceiptAsync(string transactionHash, CancellationToken cancellationToken = default)
    {
        var result = await RequestAsync("eth_getTransactionReceipt", [transactionHash], cancellationToken).ConfigureAwait(false);
        if (result.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        var contract = result.TryGetProperty("contractAddress", out var c) && c.ValueKind == JsonValueKind.String
            ? EthereumAddress.Parse(c.GetString()!.ToLowerInvariant())
            : (EthereumAddress?)null;
        return new TransactionReceipt(
            result.GetProperty("transactionHash").GetString()!,
            (long)Quantity(result.GetProperty("blockNumber")),
            Quantity(result.GetProperty("status")) == 1,
            Quantity(result.GetProperty("gasUsed")),
            result.TryGetProperty("effectiveGasPrice", out var price) ? Quantity(price) : BigInteger.Zero,
            contract,
            result.GetProperty("logs").EnumerateArray().Select(ParseLog).ToArray());
    }

    /// <summary>eth_getLogs over a block range, optionally for one contract and topic-0 set.</summary>
    public async Task<IReadOnlyList<LogEntry>> GetLogsAsync(
        long fromBlock, long toBlock, EthereumAddress? address = null, IReadOnlyList<byte[]>? topic0 = null, CancellationToken cancellationToken = default)
    {
        var filter = new JsonObject
        {
            ["fromBlock"] = HexConverter.ToQuantity(fromBlock),
            ["toBlock"] = HexConverter.ToQuantity(toBlock),
        };
        if (address is { } a)
        {
            filter["address"] = a.ToString();
        }

        if (topic0 is { Count: > 0 })
        {
            filter["topics"] = new JsonArray(new JsonArray(topic0.Select(t => (JsonNode?)HexConverter.ToHex(t)).ToArray()));
        }

        var result = await RequestAsync("eth_getLogs", [filter], cancellationToken).ConfigureAwait(false);
        return result.EnumerateArray().Select(ParseLog).ToArray();
    }

    /// <summary>eth_getBlockByNumber (header fields only) for a number or a tag such as "latest".</summary>
    public async Task<BlockHeader> GetBlockAsync(string block = "latest", CancellationToken cancellationToken = default)
    {
        var result = await RequestAsync("eth_getBlockByNumber", [block, false], cancellationToken).ConfigureAwait(false);
        if (result.ValueKind == JsonValueKind.Null)
        {
            throw new RpcException("eth_getBlockByNumber", 0, $"block {block} does not exist", null);
        }

        return new BlockHeader(
            (long)Quantity(result.GetProperty("number")),
            result.GetProperty("hash").GetString()!,
            (long)Quantity(result.GetProperty("timestamp")),
            result.TryGetProperty("baseFeePerGas", out var fee) ? Quantity(fee) : BigInteger.Zero);
    }

    /// <summary>eth_getBlockByNumber for a block number.</summary>
    public Task<BlockHeader> GetBlockAsync(long number, CancellationToken cancellationToken = default) =>
        GetBlockAsync(HexConverter.ToQuantity(number), cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static JsonObject CallObject(EthereumAddress? from, EthereumAddress? to, byte[] data, BigInteger value)
    {
        var call = new JsonObject { ["data"] = HexConverter.ToHex(data) };
        if (from is { } f)
        {
            call["from"] = f.ToString();
        }

        if (to is { } t)
        {
            call["to"] = t.ToString();
        }

        if (!value.IsZero)
        {
            call["value"] = HexConverter.ToQuantity(value);
        }

        return call;
    }

    private static LogEntry ParseLog(JsonElement log) => new(
        EthereumAddress.Parse(log.GetProperty("address").GetString()!.ToLowerInvariant()),
        log.GetProperty("topics").EnumerateArray().Select(t => HexConverter.FromHex(t.GetString()!)).ToArray(),
        HexConverter.FromHex(log.GetProperty("data").GetString()!),
        (long)Quantity(log.GetProperty("blockNumber")),
        log.GetProperty("blockHash").GetString()!,
        log.GetProperty("transactionHash").GetString()!,
        (int)Quantity(log.GetProperty("logIndex")),
        log.TryGetProperty("removed", out var removed) && removed.ValueKind == JsonValueKind.True);

    private static BigInteger Quantity(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => HexConverter.ParseQuantity(element.GetString()!),
        JsonValueKind.Number => BigInteger.Parse(element.GetRawText(), CultureInfo.InvariantCulture),
        _ => throw new RpcException("(parse)", 0, $"expected a quantity, got {element.ValueKind}", null),
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "JSON-RPC {Method} failed transiently (attempt {Attempt}); retrying: {Reason}")]
        public static partial void Retrying(ILogger logger, string method, int attempt, string reason);
    }
}
