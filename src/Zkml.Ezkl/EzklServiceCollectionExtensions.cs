using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Zkml.Ezkl;

/// <summary>Registers Zkml.Ezkl with dependency injection.</summary>
public static class EzklServiceCollectionExtensions
{
    /// <summary>
    /// Registers one shared, thread-safe <see cref="EzklEngine"/> (singleton) configured through
    /// <see cref="EzklEngineOptions"/>. The engine loads on first use; it logs through the registered
    /// <see cref="ILoggerFactory"/> when there is one.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adjusts the options (engine path, instances, module cache).</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddEzkl(this IServiceCollection services, Action<EzklEngineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<EzklEngineOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(provider => new EzklEngine(
            provider.GetRequiredService<IOptions<EzklEngineOptions>>().Value,
            provider.GetService<ILoggerFactory>()));
        return services;
    }
}
