using Microsoft.Extensions.Logging;

namespace Zkml.Storage.Diagnostics;

/// <summary>The package's log messages (source-generated).</summary>
internal static partial class StorageLog
{
    [LoggerMessage(1, LogLevel.Debug, "Stored {Key}: {Size} bytes, sha256 {Sha256}")]
    public static partial void Stored(ILogger logger, string key, long size, string sha256);

    [LoggerMessage(2, LogLevel.Debug, "Uploading {Key} in {PartCount} parts of {PartSize} bytes")]
    public static partial void MultipartStarted(ILogger logger, string key, int partCount, long partSize);

    [LoggerMessage(3, LogLevel.Warning, "Aborted the multipart upload of {Key}")]
    public static partial void MultipartAborted(ILogger logger, string key, Exception exception);

    [LoggerMessage(4, LogLevel.Warning, "{Operation} {Key} failed (attempt {Attempt} of {MaxAttempts}), retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string operation, string key, int attempt, int maxAttempts, long delayMs, Exception exception);

    [LoggerMessage(5, LogLevel.Error, "Integrity check failed for {Key}: expected sha256 {Expected}, found {Actual}")]
    public static partial void IntegrityFailed(ILogger logger, string key, string? expected, string? actual);

    [LoggerMessage(6, LogLevel.Debug, "Audit trail {Prefix}: appended entry {Sequence} ({Hash})")]
    public static partial void AuditAppended(ILogger logger, string prefix, long sequence, string hash);

    [LoggerMessage(7, LogLevel.Debug, "Audit trail {Prefix}: entry {Sequence} was taken by another writer, retrying")]
    public static partial void AuditContended(ILogger logger, string prefix, long sequence);

    [LoggerMessage(8, LogLevel.Warning, "Audit trail {Prefix} failed verification at entry {Sequence}: {Reason}")]
    public static partial void AuditBroken(ILogger logger, string prefix, long sequence, string reason);

    [LoggerMessage(9, LogLevel.Debug, "Skipped the upload of {Key}: the same content is already stored")]
    public static partial void AlreadyStored(ILogger logger, string key);
}
