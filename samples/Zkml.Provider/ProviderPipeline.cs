namespace Zkml.Provider;

/// <summary>
/// The HTTP pipeline. The dashboard (samples/Zkml.Provider/Dashboard/, its own files) plugs in by implementing
/// the two partial methods: its services, and its middleware (cross-origin isolation headers, static files from
/// wwwroot/ and the engine's web build at /engine/), which run before the API.
/// </summary>
internal static partial class ProviderPipeline
{
    public static void ConfigureServices(IServiceCollection services) => AddDashboardServices(services);

    public static void Configure(WebApplication app)
    {
        UseDashboard(app);
        app.MapProviderApi();
    }

    static partial void AddDashboardServices(IServiceCollection services);

    static partial void UseDashboard(WebApplication app);
}
