using Zkml.Storage.Audit;
using Zkml.Storage.FileSystem;
using Zkml.Storage.S3;

namespace Zkml.Storage;

/// <summary>
/// What <c>services.AddZkmlStorage(...)</c> registers: one <see cref="IArtifactStore"/> (S3 when <see cref="S3"/>
/// is set, else the filesystem under <see cref="FileSystem"/>'s root), the <see cref="AuditTrail"/> and the
/// <see cref="Records.MarketRecordStore"/> on top of it.
/// </summary>
public sealed class ZkmlStorageOptions
{
    /// <summary>The filesystem store's options; used when <see cref="S3"/> is null.</summary>
    public FileSystemArtifactStoreOptions FileSystem { get; } = new();

    /// <summary>The S3 store's options (Akave O3 or another S3 server); null for the filesystem.</summary>
    public S3ArtifactStoreOptions? S3 { get; set; }

    /// <summary>The audit trail's options.</summary>
    public AuditTrailOptions AuditTrail { get; } = new();

    /// <summary>Stores artifacts under the folder <paramref name="rootPath"/>.</summary>
    public ZkmlStorageOptions UseFileSystem(string rootPath)
    {
        FileSystem.RootPath = rootPath;
        S3 = null;
        return this;
    }

    /// <summary>Stores artifacts in an S3 bucket.</summary>
    public ZkmlStorageOptions UseS3(S3ArtifactStoreOptions options)
    {
        S3 = options ?? throw new ArgumentNullException(nameof(options));
        return this;
    }

    /// <summary>Stores artifacts on Akave O3 (see <see cref="S3ArtifactStoreOptions.ForAkaveO3"/>).</summary>
    public ZkmlStorageOptions UseAkaveO3(string accessKey, string secretKey, string bucketName, Uri? endpoint = null) =>
        UseS3(S3ArtifactStoreOptions.ForAkaveO3(accessKey, secretKey, bucketName, endpoint));
}
