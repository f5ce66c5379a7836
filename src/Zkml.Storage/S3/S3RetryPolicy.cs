using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Logging;
using Zkml.Storage.Diagnostics;

namespace Zkml.Storage.S3;

/// <summary>
/// Runs one S3 operation, retrying transient failures (5xx, throttling, timeouts, dropped connections) with
/// exponential backoff and jitter, and turns what finally escapes into the package's exceptions.
/// </summary>
internal sealed class S3RetryPolicy(S3ArtifactStoreOptions options, ILogger logger)
{
    public async Task<T> ExecuteAsync<T>(
        string operation, string key, Func<int, CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        var maxAttempts = options.MaxRetries + 1;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action(attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < maxAttempts && IsTransient(ex, cancellationToken))
            {
                var delay = Backoff(attempt);
                StorageLog.Retrying(logger, operation, key, attempt, maxAttempts, (long)delay.TotalMilliseconds, ex);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not StorageException and not OperationCanceledException || IsTimeout(ex, cancellationToken))
            {
                throw Translate(ex, operation, key, cancellationToken);
            }
        }
    }

    public TimeSpan Backoff(int attempt)
    {
        var exponential = options.InitialRetryDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var capped = Math.Min(exponential, options.MaxRetryDelay.TotalMilliseconds);
        // Full jitter between half and all of the backoff keeps concurrent clients from retrying in lockstep.
        return TimeSpan.FromMilliseconds(capped * (0.5 + Random.Shared.NextDouble() / 2));
    }

    public static bool IsTransient(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        StorageException storage => storage.IsTransient,
        AmazonServiceException service when service.StatusCode is HttpStatusCode.TooManyRequests
            || (int)service.StatusCode >= 500 => true,
        AmazonServiceException service when service.ErrorCode is "SlowDown" or "RequestTimeout" or "InternalError"
            or "ServiceUnavailable" or "Throttling" or "ThrottlingException" => true,
        AmazonServiceException { StatusCode: 0 } service => service.InnerException is not null
            && IsTransient(service.InnerException, cancellationToken),
        AmazonClientException { InnerException: { } inner } => IsTransient(inner, cancellationToken),
        HttpRequestException or IOException or SocketException => true,
        OperationCanceledException => IsTimeout(ex, cancellationToken),
        _ => false,
    };

    private static bool IsTimeout(Exception ex, CancellationToken cancellationToken) =>
        ex is OperationCanceledException && !cancellationToken.IsCancellationRequested;

    public static Exception Translate(Exception ex, string operation, string key, CancellationToken cancellationToken)
    {
        if (ex is StorageException)
        {
            return ex;
        }

        if (ex is AmazonS3Exception s3)
        {
            switch (s3.StatusCode, s3.ErrorCode)
            {
                case (HttpStatusCode.NotFound, "NoSuchBucket"):
                    return new StorageException($"{operation} '{key}': the bucket does not exist.", ex);
                case (HttpStatusCode.NotFound, _):
                    return new ArtifactNotFoundException(key, ex);
                case (HttpStatusCode.PreconditionFailed, _):
                case (HttpStatusCode.Conflict, "ConditionalRequestConflict"):
                    return new ArtifactAlreadyExistsException(key, ex);
                case (HttpStatusCode.Forbidden, _):
                    return new StorageException($"{operation} '{key}': access denied ({s3.ErrorCode}): check the keys and the bucket policy.", ex);
            }
        }

        var transient = IsTransient(ex, cancellationToken);
        var detail = ex is AmazonServiceException service
            ? $"{(int)service.StatusCode} {service.ErrorCode}: {service.Message}"
            : ex.Message;
        return new StorageException(
            $"{operation} '{key}' failed{(transient ? " after retries" : "")}: {detail}", ex, transient);
    }
}
