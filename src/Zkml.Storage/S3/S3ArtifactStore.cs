using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Zkml.Storage.Diagnostics;

namespace Zkml.Storage.S3;

/// <summary>
/// Artifacts in an S3 bucket: Akave O3 (<see cref="S3ArtifactStoreOptions.ForAkaveO3"/>), Ceph radosgw or any
/// S3-compatible server. Each object records its sha256 and CIDv1 in user metadata (<c>zkml-sha256</c>,
/// <c>zkml-cid</c>), computed before the upload starts, and reads check the bytes against them before returning
/// any. Uploads never use chunked encoding or SDK checksum headers (Akave rejects them); content above
/// <see cref="S3ArtifactStoreOptions.MultipartThreshold"/> goes up in parts, and a failed multipart upload is
/// aborted so no partial object ever becomes visible. Transient failures are retried with backoff.
/// </summary>
public sealed class S3ArtifactStore : IArtifactStore, IDisposable
{
    private const string MetadataHeaderPrefix = "x-amz-meta-";
    private const string NetworkRootCidName = "network-root-cid";

    private readonly IAmazonS3 _client;
    private readonly bool _ownsClient;
    private readonly S3ArtifactStoreOptions _options;
    private readonly ILogger _logger;
    private readonly S3RetryPolicy _retry;
    private readonly string _tempDirectory;

    /// <summary>Creates a store with its own S3 client built from <paramref name="options"/>.</summary>
    public S3ArtifactStore(S3ArtifactStoreOptions options, ILogger<S3ArtifactStore>? logger = null)
        : this(CreateClient(options), options, logger, ownsClient: true)
    {
    }

    /// <summary>
    /// Creates a store on an existing client. The client should be configured as <see cref="CreateClient"/> does
    /// (checksums when required, path style); the store does not dispose it.
    /// </summary>
    public S3ArtifactStore(IAmazonS3 client, S3ArtifactStoreOptions options, ILogger<S3ArtifactStore>? logger = null)
        : this(client, options, logger, ownsClient: false)
    {
    }

    private S3ArtifactStore(IAmazonS3 client, S3ArtifactStoreOptions options, ILogger? logger, bool ownsClient)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _client = client;
        _ownsClient = ownsClient;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _retry = new S3RetryPolicy(options, _logger);
        _tempDirectory = options.TempDirectory ?? Path.GetTempPath();
    }

    /// <summary>The bucket this store writes to.</summary>
    public string BucketName => _options.BucketName;

    /// <inheritdoc />
    public bool SupportsPresignedUrls => true;

    /// <summary>
    /// An S3 client with the settings Akave O3 needs and radosgw accepts: path-style URLs, the signing region,
    /// request checksums and response validation only when required, no SDK retries (the store retries itself).
    /// </summary>
    public static AmazonS3Client CreateClient(S3ArtifactStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var config = new AmazonS3Config
        {
            ServiceURL = options.ServiceUrl!.ToString(),
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = options.AuthenticationRegion,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 0,
            Timeout = options.RequestTimeout,
        };
        return new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    /// <summary>Creates the bucket unless it exists already.</summary>
    public async ValueTask CreateBucketIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _retry.ExecuteAsync("CreateBucket", "", (_, ct) =>
                _client.PutBucketAsync(new PutBucketRequest { BucketName = _options.BucketName }, ct), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (StorageException ex) when (ex.InnerException is AmazonS3Exception
                                          {
                                              ErrorCode: "BucketAlreadyOwnedByYou" or "BucketAlreadyExists",
                                          })
        {
            // Already there.
        }
    }

    /// <inheritdoc />
    public async ValueTask<ArtifactRef> PutAsync(
        string key, Stream content, ArtifactPutOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.Validate(key);
        ArgumentNullException.ThrowIfNull(content);
        ArtifactMetadata.ValidateUserMetadata(key, options?.Metadata);

        await using var spool = await ContentSpool.CreateAsync(content, _options.MemorySpoolThreshold, _tempDirectory, cancellationToken)
            .ConfigureAwait(false);
        ArtifactMetadata.CheckExpected(key, options?.ExpectedSha256, spool.Sha256Hex);

        var etag = spool.Length <= _options.MultipartThreshold
            ? await PutSingleAsync(key, spool, options, cancellationToken).ConfigureAwait(false)
            : await PutMultipartAsync(key, spool, options, cancellationToken).ConfigureAwait(false);

        if (string.IsNullOrEmpty(etag))
        {
            // radosgw can answer CompleteMultipartUpload without an ETag; the object's HEAD has it.
            etag = (await HeadAsync(key, cancellationToken).ConfigureAwait(false))?.Ref.ETag;
        }

        StorageLog.Stored(_logger, key, spool.Length, spool.Sha256Hex);
        return new ArtifactRef(key, spool.Length, spool.Sha256Hex, spool.Cid, etag);
    }

    /// <inheritdoc />
    public async ValueTask<ArtifactContent> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.Validate(key);
        try
        {
            return await _retry.ExecuteAsync("GetObject", key, async (_, ct) =>
            {
                using var response = await _client.GetObjectAsync(
                    new GetObjectRequest { BucketName = _options.BucketName, Key = key }, ct).ConfigureAwait(false);
                var properties = ToProperties(key, response.Metadata, response.Headers.ContentType,
                    response.ContentLength, response.ETag, response.LastModified);
                var verified = await ContentSpool.ReadVerifiedAsync(response.ResponseStream, key, properties.Ref.Sha256,
                    response.ContentLength, _options.MemorySpoolThreshold, _tempDirectory, ct).ConfigureAwait(false);
                return new ArtifactContent(properties, verified);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (ArtifactIntegrityException ex)
        {
            StorageLog.IntegrityFailed(_logger, key, ex.ExpectedSha256, ex.ActualSha256);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask<ArtifactProperties?> HeadAsync(string key, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.Validate(key);
        try
        {
            return await _retry.ExecuteAsync("HeadObject", key, async (_, ct) =>
            {
                var response = await _client.GetObjectMetadataAsync(
                    new GetObjectMetadataRequest { BucketName = _options.BucketName, Key = key }, ct).ConfigureAwait(false);
                return ToProperties(key, response.Metadata, response.Headers.ContentType, response.ContentLength,
                    response.ETag, response.LastModified);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (ArtifactNotFoundException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.Validate(key);
        try
        {
            await _retry.ExecuteAsync("HeadObject", key, (_, ct) => _client.GetObjectMetadataAsync(
                new GetObjectMetadataRequest { BucketName = _options.BucketName, Key = key }, ct), cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (ArtifactNotFoundException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        // S3 deletes are idempotent and do not say whether the key existed; ask first.
        if (!await ExistsAsync(key, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await _retry.ExecuteAsync("DeleteObject", key, (_, ct) => _client.DeleteObjectAsync(
            new DeleteObjectRequest { BucketName = _options.BucketName, Key = key }, ct), cancellationToken)
            .ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ArtifactListItem> ListAsync(
        string prefix = "", [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArtifactKeys.ValidatePrefix(prefix);
        string? continuation = null;
        do
        {
            var request = new ListObjectsV2Request
            {
                BucketName = _options.BucketName,
                Prefix = prefix.Length == 0 ? null : prefix,
                MaxKeys = _options.ListPageSize,
                ContinuationToken = continuation,
            };
            var page = await _retry.ExecuteAsync("ListObjectsV2", prefix, (_, ct) => _client.ListObjectsV2Async(request, ct),
                cancellationToken).ConfigureAwait(false);
            foreach (var item in page.S3Objects ?? [])
            {
                yield return new ArtifactListItem(item.Key, item.Size ?? 0, Unquote(item.ETag),
                    item.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : null);
            }

            continuation = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (continuation is not null);
    }

    /// <inheritdoc />
    public async ValueTask<Uri> GetPresignedReadUriAsync(string key, TimeSpan validFor, CancellationToken cancellationToken = default)
    {
        ArtifactKeys.Validate(key);
        if (validFor <= TimeSpan.Zero || validFor > TimeSpan.FromDays(7))
        {
            throw new ArgumentOutOfRangeException(nameof(validFor), validFor, "A presigned URL is valid for up to 7 days.");
        }

        var request = new GetPreSignedUrlRequest
        {
            BucketName = _options.BucketName,
            Key = key,
            Verb = HttpVerb.GET,
            Expires = DateTime.UtcNow + validFor,
            Protocol = _options.ServiceUrl!.Scheme == Uri.UriSchemeHttp ? Protocol.HTTP : Protocol.HTTPS,
        };
        var url = await _client.GetPreSignedURLAsync(request).ConfigureAwait(false);
        return new Uri(url);
    }

    /// <summary>Disposes the S3 client if this store created it.</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _client.Dispose();
        }
    }

    private async Task<string?> PutSingleAsync(
        string key, ContentSpool spool, ArtifactPutOptions? options, CancellationToken cancellationToken)
    {
        // Held in memory so that a retry re-sends exactly the hashed bytes.
        var body = new byte[spool.Length];
        spool.Rewind();
        await spool.Stream.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);

        var response = await _retry.ExecuteAsync("PutObject", key, async (attempt, ct) =>
        {
            var request = new PutObjectRequest
            {
                BucketName = _options.BucketName,
                Key = key,
                InputStream = new MemoryStream(body, writable: false),
                AutoCloseStream = true,
                UseChunkEncoding = false,
                ContentType = options?.ContentType,
            };
            AddMetadata(request.Metadata, spool, options);
            if (options?.IfNotExists == true)
            {
                request.IfNoneMatch = "*";
            }

            try
            {
                return await _client.PutObjectAsync(request, ct).ConfigureAwait(false);
            }
            catch (AmazonS3Exception ex) when (attempt > 1 && ex.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                // A create-only retry finds the key taken: by another writer, or by an earlier attempt of this one
                // whose answer was lost. Only the digest tells them apart.
                var existing = await _client.GetObjectMetadataAsync(
                    new GetObjectMetadataRequest { BucketName = _options.BucketName, Key = key }, ct).ConfigureAwait(false);
                if (existing.Metadata[ArtifactMetadata.Sha256] != spool.Sha256Hex)
                {
                    throw;
                }

                return new PutObjectResponse { ETag = existing.ETag, HttpStatusCode = HttpStatusCode.OK };
            }
        }, cancellationToken).ConfigureAwait(false);
        options?.Progress?.Report(spool.Length);
        return Unquote(response.ETag);
    }

    private async Task<string?> PutMultipartAsync(
        string key, ContentSpool spool, ArtifactPutOptions? options, CancellationToken cancellationToken)
    {
        if (options?.IfNotExists == true && await ExistsAsync(key, cancellationToken).ConfigureAwait(false))
        {
            throw new ArtifactAlreadyExistsException(key);
        }

        var partSize = _options.PartSize;
        var partCount = (int)((spool.Length + partSize - 1) / partSize);
        StorageLog.MultipartStarted(_logger, key, partCount, partSize);

        var initiate = await _retry.ExecuteAsync("InitiateMultipartUpload", key, (_, ct) =>
        {
            var request = new InitiateMultipartUploadRequest
            {
                BucketName = _options.BucketName,
                Key = key,
                ContentType = options?.ContentType,
            };
            AddMetadata(request.Metadata, spool, options);
            return _client.InitiateMultipartUploadAsync(request, ct);
        }, cancellationToken).ConfigureAwait(false);
        var uploadId = initiate.UploadId;

        try
        {
            var parts = await UploadPartsAsync(key, uploadId, spool, partCount, options?.Progress, cancellationToken)
                .ConfigureAwait(false);

            var complete = await _retry.ExecuteAsync("CompleteMultipartUpload", key, async (attempt, ct) =>
            {
                try
                {
                    return await _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
                    {
                        BucketName = _options.BucketName,
                        Key = key,
                        UploadId = uploadId,
                        PartETags = parts,
                        // Servers with conditional completes make create-only atomic; others rely on the check above.
                        IfNoneMatch = options?.IfNotExists == true ? "*" : null,
                    }, ct).ConfigureAwait(false);
                }
                catch (AmazonS3Exception ex) when (attempt > 1 && ex.ErrorCode == "NoSuchUpload")
                {
                    // An earlier attempt completed the upload but its answer was lost.
                    return new CompleteMultipartUploadResponse { HttpStatusCode = HttpStatusCode.OK };
                }
            }, cancellationToken).ConfigureAwait(false);
            return Unquote(complete.ETag);
        }
        catch (Exception ex)
        {
            await AbortAsync(key, uploadId, ex).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Reads the parts from the spool in order and uploads up to <see cref="S3ArtifactStoreOptions.MaxConcurrentParts"/>
    /// at a time, each from its own buffer so a retry re-sends exactly the same bytes.
    /// </summary>
    private async Task<List<PartETag>> UploadPartsAsync(
        string key, string uploadId, ContentSpool spool, int partCount, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var partSize = _options.PartSize;
        var etags = new PartETag[partCount];
        var uploads = new List<Task>(partCount);
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(_options.MaxConcurrentParts);
        long sent = 0;
        spool.Rewind();
        try
        {
            for (var number = 1; number <= partCount && !failed.IsCancellationRequested; number++)
            {
                await slots.WaitAsync(failed.Token).ConfigureAwait(false);
                var length = (int)Math.Min(partSize, spool.Length - (long)(number - 1) * partSize);
                var buffer = ArrayPool<byte>.Shared.Rent(length);
                try
                {
                    await spool.Stream.ReadExactlyAsync(buffer.AsMemory(0, length), failed.Token).ConfigureAwait(false);
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    slots.Release();
                    throw;
                }

                var partNumber = number;
                uploads.Add(Task.Run(async () =>
                {
                    try
                    {
                        var part = await _retry.ExecuteAsync("UploadPart", key, (_, ct) => _client.UploadPartAsync(
                            new UploadPartRequest
                            {
                                BucketName = _options.BucketName,
                                Key = key,
                                UploadId = uploadId,
                                PartNumber = partNumber,
                                PartSize = length,
                                InputStream = new MemoryStream(buffer, 0, length, writable: false),
                                UseChunkEncoding = false,
                                IsLastPart = partNumber == partCount,
                            }, ct), failed.Token).ConfigureAwait(false);
                        etags[partNumber - 1] = new PartETag(partNumber, part.ETag);
                        progress?.Report(Interlocked.Add(ref sent, length));
                    }
                    catch
                    {
                        await failed.CancelAsync().ConfigureAwait(false);
                        throw;
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        slots.Release();
                    }
                }, CancellationToken.None));
            }
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // A part failed; its error is reported below.
        }
        finally
        {
            // Never leave an upload task running past this method: they use the spool's buffers and the semaphore.
            await Task.WhenAll(uploads).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }

        var errors = uploads.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).ToList();
        if (errors.Count > 0)
        {
            // The part that failed first, not the siblings cancelled because of it.
            throw errors.FirstOrDefault(e => e is not OperationCanceledException) ?? errors[0];
        }

        cancellationToken.ThrowIfCancellationRequested();
        return [.. etags];
    }

    private async Task AbortAsync(string key, string uploadId, Exception cause)
    {
        try
        {
            // Not cancellable: a cancelled upload must still release its parts.
            await _retry.ExecuteAsync("AbortMultipartUpload", key, (_, ct) => _client.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = _options.BucketName, Key = key, UploadId = uploadId }, ct),
                CancellationToken.None).ConfigureAwait(false);
        }
        catch (StorageException)
        {
            // The upload stays invisible either way; the server expires abandoned uploads.
        }

        StorageLog.MultipartAborted(_logger, key, cause);
    }

    private static void AddMetadata(MetadataCollection metadata, ContentSpool spool, ArtifactPutOptions? options)
    {
        metadata.Add(ArtifactMetadata.Sha256, spool.Sha256Hex);
        metadata.Add(ArtifactMetadata.Cid, spool.Cid);
        if (options is not null)
        {
            foreach (var (name, value) in options.Metadata)
            {
                metadata.Add(name, value);
            }
        }
    }

    private static ArtifactProperties ToProperties(
        string key, MetadataCollection metadata, string? contentType, long size, string? etag, DateTime? lastModified)
    {
        var user = new Dictionary<string, string>(StringComparer.Ordinal);
        string? sha256 = null, networkRootCid = null;
        foreach (var rawName in metadata.Keys)
        {
            var name = rawName.StartsWith(MetadataHeaderPrefix, StringComparison.OrdinalIgnoreCase)
                ? rawName[MetadataHeaderPrefix.Length..].ToLowerInvariant()
                : rawName.ToLowerInvariant();
            var value = metadata[rawName];
            switch (name)
            {
                case ArtifactMetadata.Sha256:
                    sha256 = value;
                    break;
                case ArtifactMetadata.Cid:
                    break;
                case NetworkRootCidName:
                    networkRootCid = value;
                    break;
                default:
                    user[name] = value;
                    break;
            }
        }

        var expected = ArtifactMetadata.ExpectedSha256(key, sha256);
        return new ArtifactProperties
        {
            Ref = new ArtifactRef(key, size, expected, ContentId.FromSha256Hex(expected), Unquote(etag)),
            ContentType = contentType,
            Metadata = user,
            LastModified = lastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : null,
            NetworkRootCid = networkRootCid,
        };
    }

    private static string? Unquote(string? etag) => string.IsNullOrEmpty(etag) ? null : etag.Trim('"');
}
