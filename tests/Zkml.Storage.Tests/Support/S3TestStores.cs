using Amazon.S3;
using Zkml.Storage.S3;
using Zkml.TestSupport;

namespace Zkml.Storage.Tests.Support;

/// <summary>Stores on the live radosgw that test.sh starts (scripts/services/radosgw.sh), one fresh bucket each.</summary>
internal static class S3TestStores
{
    public static S3ArtifactStoreOptions Options(string bucket, Uri? endpoint = null) => new()
    {
        ServiceUrl = endpoint ?? new Uri(TestServices.S3Endpoint),
        AccessKey = TestServices.S3AccessKey,
        SecretKey = TestServices.S3SecretKey,
        BucketName = bucket,
        // Small parts so a 20 MB object goes up in several parts.
        PartSize = S3ArtifactStoreOptions.MinimumPartSize,
        MultipartThreshold = 8 << 20,
        InitialRetryDelay = TimeSpan.FromMilliseconds(20),
    };

    public static async Task<S3ArtifactStore> CreateWithNewBucketAsync(Action<S3ArtifactStoreOptions>? configure = null)
    {
        var options = Options(TestData.UniqueName("zkml-test-"));
        configure?.Invoke(options);
        var store = new S3ArtifactStore(options);
        await store.CreateBucketIfNotExistsAsync();
        return store;
    }

    public static AmazonS3Client RawClient(string bucket) => S3ArtifactStore.CreateClient(Options(bucket));
}
