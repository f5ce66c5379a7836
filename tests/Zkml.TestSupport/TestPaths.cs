namespace Zkml.TestSupport;

/// <summary>Locations the tests read from: the repository root and the shared reference fixtures beside it.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> s_repoRoot = new(FindRepoRoot);

    /// <summary>The repository root (the folder holding Zkml.sln).</summary>
    public static string RepoRoot => s_repoRoot.Value;

    /// <summary>The shared folder beside the repository (design notes and fixtures).</summary>
    public static string Shared =>
        Environment.GetEnvironmentVariable("ZKML_SHARED") is { Length: > 0 } shared
            ? shared
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>Reference assets made with ezkl engine 21.0.0.</summary>
    public static string Fixtures => Path.Combine(Shared, "fixtures", "ezkl-v21.0.0");

    /// <summary>A fixture file by name, e.g. <c>Fixture("vk.key")</c>.</summary>
    public static string Fixture(string name) => Path.Combine(Fixtures, name);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Zkml.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Zkml.sln not found above " + AppContext.BaseDirectory);
    }
}
