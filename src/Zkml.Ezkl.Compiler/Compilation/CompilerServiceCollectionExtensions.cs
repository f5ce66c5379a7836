using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Zkml.Ezkl.Compilation;

/// <summary>Registers the ONNX → circuit compiler with dependency injection.</summary>
public static class CompilerServiceCollectionExtensions
{
    /// <summary>Registers one shared, stateless <see cref="EzklCompiler"/> configured through <see cref="EzklCompilerOptions"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adjusts the options (accounting mode).</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddEzklCompiler(this IServiceCollection services, Action<EzklCompilerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<EzklCompilerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(provider => new EzklCompiler(
            provider.GetRequiredService<IOptions<EzklCompilerOptions>>().Value,
            provider.GetService<ILoggerFactory>()));
        return services;
    }
}
