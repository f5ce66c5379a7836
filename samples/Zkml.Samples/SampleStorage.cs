using Microsoft.Extensions.DependencyInjection;
using Zkml.Storage;
using Zkml.Storage.Audit;
using Zkml.Storage.FileSystem;
using Zkml.Storage.Records;
using Zkml.Storage.S3;

namespace Zkml.Samples;

/// <summary>Where the samples keep artifacts: the filesystem under the data directory (default) or S3 (radosgw, Akave O3).</summary>
public sealed class SampleStorage
{
    /// <summary>"filesystem" or "s3".</summary>
    public string Kind { get; set; } = "filesystem";

    /// <summary>S3 service URL.</summary>
    public string? Endpoint { get; set; }

    /// <summary>S3 bucket.</summary>
    public string Bucket { get; set; } = "zkml";

    /// <summary>S3 access key.</summary>
    public string AccessKey { get; set; } = "";

    /// <summary>S3 secret key.</summary>
    public string SecretKey { get; set; } = "";

    /// <summary>S3 region ("akave-network" for Akave O3).</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>Whether this is S3.</summary>
    public bool IsS3 => Kind.Equals("s3", StringComparison.OrdinalIgnoreCase);

    /// <summary>The S3 options.</summary>
    public S3ArtifactStoreOptions ToS3Options() => new()
    {
        ServiceUrl = new Uri(Endpoint ?? throw new InvalidOperationException("S3 storage needs an endpoint.")),
        BucketName = Bucket,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
        AuthenticationRegion = Region,
    };

    /// <summary>Configures <c>AddZkmlStorage</c>.</summary>
    public void Apply(ZkmlStorageOptions options, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (IsS3)
        {
            options.UseS3(ToS3Options());
        }
        else
        {
            options.UseFileSystem(Path.GetFullPath(Path.Combine(dataDirectory, "store")));
        }
    }

    /// <summary>Opens the store and its records without DI (the client); creates the S3 bucket when missing.</summary>
    public async Task<(IArtifactStore Store, MarketRecordStore Records)> OpenAsync(string dataDirectory, CancellationToken cancellationToken = default)
    {
        IArtifactStore store;
        if (IsS3)
        {
            var s3 = new S3ArtifactStore(ToS3Options());
            await s3.CreateBucketIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
            store = s3;
        }
        else
        {
            store = new FileSystemArtifactStore(Path.GetFullPath(Path.Combine(dataDirectory, "store")));
        }

        return (store, new MarketRecordStore(store, new AuditTrail(store)));
    }
}
