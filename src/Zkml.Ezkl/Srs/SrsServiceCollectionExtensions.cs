using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Zkml.Ezkl;

/// <summary>Registers the SRS services with a dependency-injection container.</summary>
public static class SrsServiceCollectionExtensions
{
    /// <summary>
    /// Adds a singleton <see cref="PublicSrsClient"/> (get-srs: public ceremony files, sha256-checked and
    /// cached), configured through <see cref="PublicSrsOptions"/>.
    /// </summary>
    public static IServiceCollection AddPublicSrsClient(this IServiceCollection services, Action<PublicSrsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<PublicSrsOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(provider => new PublicSrsClient(
            provider.GetRequiredService<IOptions<PublicSrsOptions>>().Value,
            provider.GetService<ILogger<PublicSrsClient>>()));
        return services;
    }
}
