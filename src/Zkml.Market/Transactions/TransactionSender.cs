using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Zkml.Market;

/// <summary>
/// Signs and sends EIP-1559 transactions for one account and waits for their receipts. Safe for concurrent callers:
/// nonces are handed out in order under a lock and re-read from the node after a failed send or a lost transaction.
/// Gas is estimated (which also surfaces reverts before anything is spent) and fees follow the latest base fee. The
/// chain id is pinned (the expected one, or the first the node reports); a transaction that is dropped or stuck is
/// replaced with the same nonce and higher fees.
/// </summary>
public sealed partial class TransactionSender
{
    private readonly EthereumRpcClient _rpc;
    private readonly EthereumKey _key;
    private readonly TransactionSenderOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _nonceLock = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, InFlight> _inFlight = new(StringComparer.OrdinalIgnoreCase);
    private BigInteger? _nextNonce;
    private BigInteger? _chainId;

    /// <summary>Creates a sender for the account of <paramref name="key"/>.</summary>
    public TransactionSender(EthereumRpcClient rpc, EthereumKey key, TransactionSenderOptions? options = null, ILogger<TransactionSender>? logger = null)
    {
        _rpc = rpc ?? throw new ArgumentNullException(nameof(rpc));
        _key = key ?? throw new ArgumentNullException(nameof(key));
        _options = options ?? new TransactionSenderOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The sending account.</summary>
    public EthereumAddress Address => _key.Address;

    /// <summary>The node this sender talks to.</summary>
    public EthereumRpcClient Rpc => _rpc;

    /// <summary>Estimates gas, signs, sends and waits for the receipt.</summary>
    /// <exception cref="RpcException">The node rejected the transaction (a revert during estimation carries its data).</exception>
    /// <exception cref="TransactionFailedException">The transaction was mined but reverted (<see cref="TransactionFailedException.RevertData"/> holds
    /// the revert data of the transaction replayed as a call at its block), or no receipt came in time.</exception>
    public async Task<TransactionReceipt> SendAsync(TransactionRequest transaction, CancellationToken cancellationToken = default)
    {
        var hash = await SubmitAsync(transaction, cancellationToken).ConfigureAwait(false);
        var receipt = await WaitForReceiptAsync(hash, cancellationToken).ConfigureAwait(false);
        if (!receipt.Succeeded)
        {
            var revertData = await ReplayRevertAsync(transaction, receipt.BlockNumber, cancellationToken).ConfigureAwait(false);
            var reason = revertData is null ? "" : " with data " + HexConverter.ToHex(revertData);
            throw new TransactionFailedException($"Transaction {hash} reverted in block {receipt.BlockNumber}{reason}.", hash, revertData, null);
        }

        return receipt;
    }

    /// <summary>
    /// A receipt says only that a transaction reverted, not why: replays it as a call on the state of its block and
    /// returns the revert data the node reports, or null when the replay does not revert with data.
    /// </summary>
    private async Task<byte[]?> ReplayRevertAsync(TransactionRequest transaction, long blockNumber, CancellationToken cancellationToken)
    {
        try
        {
            await _rpc.CallAsync(Address, transaction, HexConverter.ToQuantity(blockNumber), cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (RpcException e) when (e.Data is { Length: > 2 } hex)
        {
            try
            {
                return HexConverter.FromHex(hex);
            }
            catch (EthereumFormatException)
            {
                return null;
            }
        }
        catch (RpcException e)
        {
            Log.ReplayFailed(_logger, e.Message);
            return null;
        }
    }

    /// <summary>
    /// Estimates gas, signs and sends; returns the transaction hash without waiting for it to be mined. The node's chain
    /// id must be <see cref="TransactionSenderOptions.ExpectedChainId"/> (when set) and the same on every send.
    /// </summary>
    /// <exception cref="ChainIdMismatchException">The node is on another chain; nothing was signed.</exception>
    public async Task<string> SubmitAsync(TransactionRequest transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var chainId = await CheckChainIdAsync(cancellationToken).ConfigureAwait(false);
        var gas = transaction.GasLimit
            ?? await _rpc.EstimateGasAsync(Address, transaction, cancellationToken).ConfigureAwait(false) * _options.GasMarginPercent / 100;
        var (tip, maxFee) = await CurrentFeesAsync(cancellationToken).ConfigureAwait(false);

        await _nonceLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                _nextNonce ??= await _rpc.GetTransactionCountAsync(Address, "pending", cancellationToken).ConfigureAwait(false);
                var nonce = _nextNonce.Value;
                var raw = new Eip1559Transaction(chainId, nonce, tip, maxFee, gas, transaction.To, transaction.Value, transaction.Data)
                    .Sign(_key);
                try
                {
                    var hash = await _rpc.SendRawTransactionAsync(raw, cancellationToken).ConfigureAwait(false);
                    _nextNonce = nonce + 1;
                    _inFlight[hash] = new InFlight(transaction, chainId, nonce, gas, tip, maxFee, [hash]);
                    Log.Sent(_logger, hash, Address.ToString(), (long)nonce, (long)gas);
                    return hash;
                }
                catch (RpcException e)
                {
                    _nextNonce = null; // after a failed send the node's count is the truth
                    if (attempt > 0 || !IsNonceError(e))
                    {
                        throw;
                    }

                    // Another sender used this account behind our back: re-read the nonce once and sign again.
                    Log.StaleNonce(_logger, Address.ToString(), (long)nonce);
                }
            }
        }
        finally
        {
            _nonceLock.Release();
        }
    }

    private async Task<BigInteger> CheckChainIdAsync(CancellationToken cancellationToken)
    {
        var chainId = await _rpc.GetChainIdAsync(cancellationToken).ConfigureAwait(false);
        _chainId ??= _options.ExpectedChainId is { } expected ? new BigInteger(expected) : chainId;
        return chainId == _chainId.Value
            ? chainId
            : throw new ChainIdMismatchException(_chainId.Value, chainId);
    }

    private async Task<(BigInteger Tip, BigInteger MaxFee)> CurrentFeesAsync(CancellationToken cancellationToken)
    {
        var block = await _rpc.GetBlockAsync("latest", cancellationToken).ConfigureAwait(false);
        var tip = await _rpc.GetMaxPriorityFeePerGasAsync(cancellationToken).ConfigureAwait(false);
        return (tip, block.BaseFeePerGas * 2 + tip);
    }

    private static bool IsNonceError(RpcException e) =>
        e.Message.Contains("nonce too low", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("nonce too high", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Polls until the transaction's receipt is available. A transaction this sender sent that has no receipt after
    /// <see cref="TransactionSenderOptions.ReplacementInterval"/> (dropped from the pool, or stuck under its fee) is
    /// signed again with the same nonce and fees raised by <see cref="TransactionSenderOptions.FeeBumpPercent"/>; the
    /// receipt of whichever version is mined is returned.
    /// </summary>
    /// <exception cref="TransactionFailedException">No receipt within <see cref="TransactionSenderOptions.ReceiptTimeout"/>
    /// (the next send then takes its nonce from the node, so a dropped transaction leaves no gap).</exception>
    public async Task<TransactionReceipt> WaitForReceiptAsync(string transactionHash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transactionHash);
        var start = DateTime.UtcNow;
        var deadline = start + _options.ReceiptTimeout;
        var replaceAt = start + _options.ReplacementInterval;
        _inFlight.TryGetValue(transactionHash, out var inFlight);
        while (true)
        {
            foreach (var hash in inFlight?.Hashes.ToArray() ?? [transactionHash])
            {
                var receipt = await _rpc.GetTransactionReceiptAsync(hash, cancellationToken).ConfigureAwait(false);
                if (receipt is not null)
                {
                    Forget(inFlight);
                    Log.Mined(_logger, hash, receipt.BlockNumber, (long)receipt.GasUsed, receipt.Succeeded);
                    return receipt;
                }
            }

            var now = DateTime.UtcNow;
            if (now > deadline)
            {
                Forget(inFlight);
                await ResetNonceAsync(cancellationToken).ConfigureAwait(false);
                throw new TransactionFailedException($"No receipt for {transactionHash} after {_options.ReceiptTimeout}.", transactionHash);
            }

            if (inFlight is not null && now >= replaceAt && inFlight.Hashes.Count <= _options.MaxReplacements)
            {
                await ReplaceAsync(inFlight, cancellationToken).ConfigureAwait(false);
                replaceAt = DateTime.UtcNow + _options.ReplacementInterval;
            }

            await Task.Delay(_options.ReceiptPollingInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Signs the transaction again with its nonce and higher fees, and sends it.</summary>
    private async Task ReplaceAsync(InFlight inFlight, CancellationToken cancellationToken)
    {
        var (tip, maxFee) = await CurrentFeesAsync(cancellationToken).ConfigureAwait(false);
        var bump = 100 + Math.Max(10, _options.FeeBumpPercent);
        tip = BigInteger.Max(tip, inFlight.Tip * bump / 100 + 1);
        maxFee = BigInteger.Max(BigInteger.Max(maxFee, inFlight.MaxFee * bump / 100 + 1), tip);
        var raw = new Eip1559Transaction(inFlight.ChainId, inFlight.Nonce, tip, maxFee, inFlight.Gas, inFlight.Request.To, inFlight.Request.Value,
            inFlight.Request.Data).Sign(_key);
        try
        {
            var hash = await _rpc.SendRawTransactionAsync(raw, cancellationToken).ConfigureAwait(false);
            lock (inFlight.Hashes)
            {
                inFlight.Hashes.Add(hash);
            }

            inFlight.Tip = tip;
            inFlight.MaxFee = maxFee;
            _inFlight[hash] = inFlight;
            Log.Replaced(_logger, inFlight.Hashes[0], hash, (long)inFlight.Nonce, tip.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (RpcException e) when (!e.IsTransient)
        {
            // "nonce too low": a version was mined (its receipt comes next poll); "underpriced": bump again next time.
            Log.ReplacementRefused(_logger, inFlight.Hashes[0], e.Message);
        }
    }

    private void Forget(InFlight? inFlight)
    {
        if (inFlight is null)
        {
            return;
        }

        foreach (var hash in inFlight.Hashes.ToArray())
        {
            _inFlight.TryRemove(hash, out _);
        }
    }

    private async Task ResetNonceAsync(CancellationToken cancellationToken)
    {
        await _nonceLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        _nextNonce = null;
        _nonceLock.Release();
    }

    private sealed class InFlight(TransactionRequest request, BigInteger chainId, BigInteger nonce, BigInteger gas, BigInteger tip, BigInteger maxFee, List<string> hashes)
    {
        public TransactionRequest Request { get; } = request;

        public BigInteger ChainId { get; } = chainId;

        public BigInteger Nonce { get; } = nonce;

        public BigInteger Gas { get; } = gas;

        public BigInteger Tip { get; set; } = tip;

        public BigInteger MaxFee { get; set; } = maxFee;

        public List<string> Hashes { get; } = hashes;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 13, Level = LogLevel.Debug, Message = "Replaying a reverted transaction gave no revert data: {Error}")]
        public static partial void ReplayFailed(ILogger logger, string error);

        [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Nonce {Nonce} of {From} was already used elsewhere; re-reading it from the node")]
        public static partial void StaleNonce(ILogger logger, string from, long nonce);

        [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Sent {Hash} from {From} (nonce {Nonce}, gas limit {Gas})")]
        public static partial void Sent(ILogger logger, string hash, string from, long nonce, long gas);

        [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "Mined {Hash} in block {Block} (gas {GasUsed}, success {Succeeded})")]
        public static partial void Mined(ILogger logger, string hash, long block, long gasUsed, bool succeeded);

        [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "{Original} had no receipt in time: replaced it by {Replacement} (nonce {Nonce}, tip {Tip})")]
        public static partial void Replaced(ILogger logger, string original, string replacement, long nonce, string tip);

        [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "The node refused a replacement of {Original}: {Reason}")]
        public static partial void ReplacementRefused(ILogger logger, string original, string reason);
    }
}
