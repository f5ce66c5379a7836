namespace Zkml.Storage.S3;

/// <summary>
/// Options for <see cref="S3ArtifactStore"/>. The defaults suit Akave O3 and Ceph radosgw: path-style URLs,
/// checksums only when an operation requires them, no chunked upload encoding, multipart above 16 MiB in 8 MiB
/// parts. <see cref="ForAkaveO3"/> fills in Akave's endpoint and signing region.
/// </summary>
public sealed class S3ArtifactStoreOptions
{
    /// <summary>Akave O3's community endpoint.</summary>
    public const string AkaveCommunityEndpoint = "https://o3-rc2.akave.xyz";

    /// <summary>The SigV4 signing region Akave O3 expects.</summary>
    public const string AkaveRegion = "akave-network";

    /// <summary>The smallest multipart part S3 and Akave accept (5 MiB), except for the last part.</summary>
    public const int MinimumPartSize = 5 << 20;

    /// <summary>The S3 endpoint, e.g. <c>https://o3-rc2.akave.xyz</c> or <c>http://127.0.0.1:7480</c>.</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>The bucket that holds the artifacts.</summary>
    public string BucketName { get; set; } = "";

    /// <summary>The access key id.</summary>
    public string AccessKey { get; set; } = "";

    /// <summary>The secret access key.</summary>
    public string SecretKey { get; set; } = "";

    /// <summary>The SigV4 signing region (default <c>us-east-1</c>; <see cref="AkaveRegion"/> for Akave O3).</summary>
    public string AuthenticationRegion { get; set; } = "us-east-1";

    /// <summary>Path-style URLs (<c>endpoint/bucket/key</c>), which Akave O3 and radosgw on an IP need (default true).</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>Content longer than this is uploaded in parts (default 16 MiB).</summary>
    public long MultipartThreshold { get; set; } = 16 << 20;

    /// <summary>The part size of multipart uploads (default 8 MiB; at least <see cref="MinimumPartSize"/>).</summary>
    public int PartSize { get; set; } = 8 << 20;

    /// <summary>How many parts of one multipart upload are sent at the same time (default 2).</summary>
    public int MaxConcurrentParts { get; set; } = 2;

    /// <summary>How many times a request that failed transiently (5xx, throttling, dropped connection) is retried (default 4).</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>The wait before the first retry; it doubles on each further retry, with jitter (default 200 ms).</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between retries (default 5 s).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The timeout of one HTTP request (default 5 minutes).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Keys fetched per listing page (default 1000, the S3 maximum).</summary>
    public int ListPageSize { get; set; } = 1000;

    /// <summary>Content up to this size is spooled in memory, beyond it in a temporary file (default 32 MiB).</summary>
    public int MemorySpoolThreshold { get; set; } = 32 << 20;

    /// <summary>Where temporary spool files go (default: the system temporary folder).</summary>
    public string? TempDirectory { get; set; }

    /// <summary>Options for Akave O3: its endpoint (the community one unless given), region and settings.</summary>
    /// <param name="accessKey">The Akave O3 access key.</param>
    /// <param name="secretKey">The Akave O3 secret key.</param>
    /// <param name="bucketName">The bucket.</param>
    /// <param name="endpoint">The account's endpoint; <see cref="AkaveCommunityEndpoint"/> when null.</param>
    public static S3ArtifactStoreOptions ForAkaveO3(string accessKey, string secretKey, string bucketName, Uri? endpoint = null) =>
        new()
        {
            ServiceUrl = endpoint ?? new Uri(AkaveCommunityEndpoint),
            AccessKey = accessKey,
            SecretKey = secretKey,
            BucketName = bucketName,
            AuthenticationRegion = AkaveRegion,
            ForcePathStyle = true,
        };

    internal void Validate()
    {
        if (ServiceUrl is null || !ServiceUrl.IsAbsoluteUri)
        {
            throw new ArgumentException("ServiceUrl must be an absolute URL.", nameof(ServiceUrl));
        }

        if (string.IsNullOrWhiteSpace(BucketName))
        {
            throw new ArgumentException("BucketName is required.", nameof(BucketName));
        }

        if (string.IsNullOrEmpty(AccessKey) || string.IsNullOrEmpty(SecretKey))
        {
            throw new ArgumentException("AccessKey and SecretKey are required.", nameof(AccessKey));
        }

        if (PartSize < MinimumPartSize)
        {
            throw new ArgumentOutOfRangeException(nameof(PartSize), PartSize, $"Parts must be at least {MinimumPartSize} bytes.");
        }

        if (MultipartThreshold < PartSize || MultipartThreshold > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(MultipartThreshold), MultipartThreshold,
                "The multipart threshold must be at least the part size and below 2 GiB.");
        }

        if (MaxRetries < 0 || ListPageSize is < 1 or > 1000 || MaxConcurrentParts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), "MaxRetries must be >= 0, ListPageSize 1-1000 and MaxConcurrentParts >= 1.");
        }
    }
}
