using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace Zkml.Provider.Dashboard;

/// <summary>
/// Serves the dashboard page (wwwroot) at <c>/</c> and the ezkl engine's web build at <c>/engine/</c>, and makes every
/// response cross-origin isolated: the engine's web build instantiates a shared <c>WebAssembly.Memory</c>, which a
/// browser only allows on a page with <c>Cross-Origin-Opener-Policy: same-origin</c> and
/// <c>Cross-Origin-Embedder-Policy: require-corp</c>.
/// </summary>
public static partial class DashboardExtensions
{
    /// <summary>The URL path the engine's web build is served under.</summary>
    public const string EngineRequestPath = "/engine";

    /// <summary>The folder, beside the host's assembly, that Dashboard.targets copies the engine's web build into.</summary>
    public const string EngineFolderName = "engine";

    /// <summary>
    /// Adds the cross-origin isolation headers, the dashboard's static files and the <c>/engine/</c> mapping. Call it
    /// before the API endpoints are mapped so that the headers reach every response, the API's included.
    /// </summary>
    /// <param name="app">The host's application.</param>
    /// <returns>The same application, for chaining.</returns>
    public static WebApplication UseDashboard(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);

        app.Use(static (context, next) =>
        {
            var headers = context.Response.Headers;
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Cross-Origin-Embedder-Policy"] = "require-corp";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            return next(context);
        });

        var webRoot = ResolveWebRoot(app.Environment);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = webRoot });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = webRoot,
            // The page is small and changes with the host: let browsers revalidate instead of caching stale scripts.
            OnPrepareResponse = static file => file.Context.Response.Headers.CacheControl = "no-cache",
        });

        var engineFolder = Path.Combine(AppContext.BaseDirectory, EngineFolderName);
        if (File.Exists(Path.Combine(engineFolder, "ezkl.js")))
        {
            var contentTypes = new FileExtensionContentTypeProvider();
            contentTypes.Mappings[".wasm"] = "application/wasm";
            contentTypes.Mappings[".js"] = "text/javascript";
            app.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = new PhysicalFileProvider(engineFolder),
                RequestPath = EngineRequestPath,
                ContentTypeProvider = contentTypes,
            });
        }
        else
        {
            LogEngineMissing(app.Logger, engineFolder);
        }

        return app;
    }

    /// <summary>
    /// The page's files: the environment's web root when it holds the page (<c>dotnet run</c> in the project folder),
    /// otherwise the copy beside the assembly (a built or published host started from any working directory).
    /// </summary>
    private static IFileProvider ResolveWebRoot(IWebHostEnvironment environment)
    {
        if (environment.WebRootFileProvider.GetFileInfo("index.html").Exists)
        {
            return environment.WebRootFileProvider;
        }

        var besideAssembly = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        return Directory.Exists(besideAssembly) ? new PhysicalFileProvider(besideAssembly) : environment.WebRootFileProvider;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "The engine's web build is missing from {EngineFolder}: in-browser verification is unavailable. Run scripts/install.sh and rebuild the host.")]
    private static partial void LogEngineMissing(ILogger logger, string engineFolder);
}
