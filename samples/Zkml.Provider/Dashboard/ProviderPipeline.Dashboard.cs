namespace Zkml.Provider;

/// <summary>The dashboard's part of the host's HTTP pipeline (see ProviderPipeline.cs).</summary>
internal static partial class ProviderPipeline
{
    static partial void UseDashboard(WebApplication app) => Dashboard.DashboardExtensions.UseDashboard(app);
}
