using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Zkml.Market;

/// <summary>
/// Signs and sends EIP-1559 transactions for one account and waits for their receipts. Safe for concurrent callers:
/// nonces are handed out in order under a lock and re-read from the node after a failed send. Gas is estimated
/// (which also surfaces reverts before anything is spent) and fees follow the latest base fee.
/// </summary>
public sealed partial class TransactionSender
{
    private readonly EthereumRpcClient _rpc;
    private readonly EthereumKey _key;
    private readonly TransactionSenderOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _nonceLock = new(1, 1);
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

    /// <summary>Estimates gas, signs and sends; returns the transaction hash without waiting for it to be mined.</summary>
    public async Task<string> SubmitAsync(TransactionRequest transaction, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        _chainId ??= await _rpc.GetChainIdAsync(cancellationToken).ConfigureAwait(false);
        var gas = transaction.GasLimit
            ?? await _rpc.EstimateGasAsync(Address, transaction, cancellationToken).ConfigureAwait(false) * _options.GasMarginPercent / 100;
        var block = await _rpc.GetBlockAsync("latest", cancellationToken).ConfigureAwait(false);
        var tip = await _rpc.GetMaxPriorityFeePerGasAsync(cancellationToken).ConfigureAwait(false);
        var maxFee = block.BaseFeePerGas * 2 + tip;

        await _nonceLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                _nextNonce ??= await _rpc.GetTransactionCountAsync(Address, "pending", cancellationToken).ConfigureAwait(false);
                var nonce = _nextNonce.Value;
                var raw = new Eip1559Transaction(_chainId.Value, nonce, tip, maxFee, gas, transaction.To, transaction.Value, transaction.Data)
                    .Sign(_key);
                try
                {
                    var hash = await _rpc.SendRawTransactionAsync(raw, cancellationToken).ConfigureAwait(false);
                    _nextNonce = nonce + 1;
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

    private static bool IsNonceError(RpcException e) =>
        e.Message.Contains("nonce too low", StringComparison.OrdinalIgnoreCase)
        || e.Message.Contains("nonce too high", StringComparison.OrdinalIgnoreCase);

    /// <summary>Polls until the transaction's receipt is available.</summary>
    /// <exception cref="TransactionFailedException">No receipt within <see cref="TransactionSenderOptions.ReceiptTimeout"/>.</exception>
    public async Task<TransactionReceipt> WaitForReceiptAsync(string transactionHash, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + _options.ReceiptTimeout;
        while (true)
        {
            var receipt = await _rpc.GetTransactionReceiptAsync(transactionHash, cancellationToken).ConfigureAwait(false);
            if (receipt is not null)
            {
                Log.Mined(_logger, transactionHash, receipt.BlockNumber, (long)receipt.GasUsed, receipt.Succeeded);
                return receipt;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TransactionFailedException($"No receipt for {transactionHash} after {_options.ReceiptTimeout}.", transactionHash);
            }

            await Task.Delay(_options.ReceiptPollingInterval, cancellationToken).ConfigureAwait(false);
        }
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
    }
}
