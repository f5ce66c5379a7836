using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Zkml.Storage;
using Zkml.Storage.Audit;
using Zkml.Storage.FileSystem;
using Zkml.Storage.Records;
using Zkml.Storage.S3;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Zkml.Storage with dependency injection.</summary>
public static class ZkmlStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers a singleton <see cref="IArtifactStore"/> (S3 / Akave O3 or the filesystem, per
    /// <paramref name="configure"/>), <see cref="AuditTrail"/> and <see cref="MarketRecordStore"/>.
    /// </summary>
    /// <example><code>
    /// services.AddZkmlStorage(o => o.UseAkaveO3(accessKey, secretKey, "zkml-models"));
    /// services.AddZkmlStorage(o => o.UseFileSystem("/var/lib/zkml"));
    /// </code></example>
    public static IServiceCollection AddZkmlStorage(this IServiceCollection services, Action<ZkmlStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<ZkmlStorageOptions>()
            .Configure(configure)
            .Validate(o => o.S3 is not null || !string.IsNullOrWhiteSpace(o.FileSystem.RootPath),
                "Zkml storage needs UseFileSystem(rootPath), UseS3(options) or UseAkaveO3(...).");

        services.TryAddSingleton<IArtifactStore>(provider =>
        {
            var options = provider.GetRequiredService<IOptions<ZkmlStorageOptions>>().Value;
            var loggers = provider.GetService<ILoggerFactory>();
            return options.S3 is { } s3
                ? new S3ArtifactStore(s3, loggers?.CreateLogger<S3ArtifactStore>())
                : new FileSystemArtifactStore(options.FileSystem, loggers?.CreateLogger<FileSystemArtifactStore>());
        });
        services.TryAddSingleton(provider => new AuditTrail(
            provider.GetRequiredService<IArtifactStore>(),
            provider.GetRequiredService<IOptions<ZkmlStorageOptions>>().Value.AuditTrail,
            provider.GetService<ILoggerFactory>()?.CreateLogger<AuditTrail>()));
        services.TryAddSingleton(provider => new MarketRecordStore(
            provider.GetRequiredService<IArtifactStore>(), provider.GetRequiredService<AuditTrail>()));
        return services;
    }
}
