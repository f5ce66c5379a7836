using System.Numerics;

namespace Zkml.Market;

/// <summary>A log emitted by a contract, as <c>eth_getLogs</c> and receipts return it.</summary>
/// <param name="Address">The emitting contract.</param>
/// <param name="Topics">Topic 0 (the event signature hash) and the indexed arguments.</param>
/// <param name="Data">The ABI-encoded non-indexed arguments.</param>
/// <param name="BlockNumber">The block holding the log.</param>
/// <param name="BlockHash">That block's hash.</param>
/// <param name="TransactionHash">The transaction that emitted it.</param>
/// <param name="LogIndex">Its index in the block.</param>
/// <param name="Removed">True when a reorganisation removed it.</param>
public sealed record LogEntry(
    EthereumAddress Address,
    IReadOnlyList<byte[]> Topics,
    byte[] Data,
    long BlockNumber,
    string BlockHash,
    string TransactionHash,
    int LogIndex,
    bool Removed);

/// <summary>The receipt of a mined transaction.</summary>
/// <param name="TransactionHash">The transaction hash.</param>
/// <param name="BlockNumber">The block it was mined in.</param>
/// <param name="Succeeded">Status 1 (true) or 0 (reverted).</param>
/// <param name="GasUsed">Gas the transaction used.</param>
/// <param name="EffectiveGasPrice">Wei paid per gas.</param>
/// <param name="ContractAddress">The created contract, for deployments.</param>
/// <param name="Logs">The logs it emitted.</param>
public sealed record TransactionReceipt(
    string TransactionHash,
    long BlockNumber,
    bool Succeeded,
    BigInteger GasUsed,
    BigInteger EffectiveGasPrice,
    EthereumAddress? ContractAddress,
    IReadOnlyList<LogEntry> Logs)
{
    /// <summary>Wei the sender paid for gas: gasUsed * effectiveGasPrice.</summary>
    public BigInteger Fee => GasUsed * EffectiveGasPrice;
}

/// <summary>The header fields of a block the package uses.</summary>
/// <param name="Number">The block number.</param>
/// <param name="Hash">The block hash.</param>
/// <param name="Timestamp">Its Unix timestamp, in seconds.</param>
/// <param name="BaseFeePerGas">The EIP-1559 base fee (0 before London).</param>
public sealed record BlockHeader(long Number, string Hash, long Timestamp, BigInteger BaseFeePerGas);

/// <summary>A transaction to send (fields left null are filled in by the sender: gas by estimation).</summary>
/// <param name="To">The recipient, or null to deploy <paramref name="Data"/> as init code.</param>
/// <param name="Data">Call data or init code.</param>
/// <param name="Value">Wei to send.</param>
/// <param name="GasLimit">A gas limit, or null to estimate it.</param>
public sealed record TransactionRequest(EthereumAddress? To, byte[] Data, BigInteger Value = default, BigInteger? GasLimit = null);

/// <summary>Options of <see cref="EthereumRpcClient"/>.</summary>
public sealed class EthereumRpcOptions
{
    /// <summary>Retries of a call that failed transiently (network error, HTTP 429/502/503/504, timeout). Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Delay before the first retry; doubled on each further retry. Default 200 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Timeout of one HTTP request. Default 30 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest answer the client reads from the node, in bytes; a larger one is an error. Default 64 MiB.</summary>
    public long MaxResponseBytes { get; set; } = 64L << 20;
}

/// <summary>Options of <see cref="TransactionSender"/>.</summary>
public sealed class TransactionSenderOptions
{
    /// <summary>Estimated gas is multiplied by this margin (percent). Default 120.</summary>
    public int GasMarginPercent { get; set; } = 120;

    /// <summary>How often to poll for a receipt. Default 100 ms (a dev chain mines at once).</summary>
    public TimeSpan ReceiptPollingInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long to wait for a receipt before giving up. Default 5 minutes.</summary>
    public TimeSpan ReceiptTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The chain id the sender must see; null pins the first chain id the node reports. Either way a node on another
    /// chain makes every send fail with <see cref="ChainIdMismatchException"/> before anything is signed.
    /// </summary>
    public long? ExpectedChainId { get; set; }

    /// <summary>How long a transaction may wait for a receipt before it is replaced (same nonce, higher fees). Default 1 minute.</summary>
    public TimeSpan ReplacementInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How much a replacement raises the fees, in percent (at least 10, what nodes require). Default 25.</summary>
    public int FeeBumpPercent { get; set; } = 25;

    /// <summary>Most replacements of one transaction. Default 5.</summary>
    public int MaxReplacements { get; set; } = 5;
}
