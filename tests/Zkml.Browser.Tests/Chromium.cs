using Microsoft.Playwright;

namespace Zkml.Browser.Tests;

/// <summary>
/// Debian's chromium (/usr/bin/chromium, from scripts/apt-packages.txt) driven headless by Playwright. Playwright's own
/// browser download cannot be reached from this project's machines, so the system browser is launched through
/// ExecutablePath, with a fresh profile folder that is deleted afterwards.
/// </summary>
public sealed class Chromium : IAsyncDisposable
{
    /// <summary>Where Debian installs chromium; ZKML_CHROMIUM overrides it.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("ZKML_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    // Flags that let the system chromium run headless in a container without a GPU, a sandbox or network chatter.
    private static readonly string[] s_arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright _playwright;
    private readonly string _profile;

    private Chromium(IPlaywright playwright, IBrowserContext context, string profile)
    {
        _playwright = playwright;
        Context = context;
        _profile = profile;
    }

    /// <summary>The browser's one context (a persistent context owns the fresh profile folder).</summary>
    public IBrowserContext Context { get; }

    /// <summary>Starts chromium headless with a fresh profile.</summary>
    public static async Task<Chromium> LaunchAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"{ExecutablePath} is missing: scripts/install.sh installs Debian's chromium (scripts/apt-packages.txt).");
        }

        var profile = Directory.CreateTempSubdirectory("zkml-chromium-").FullName;
        var playwright = await Playwright.CreateAsync();
        try
        {
            // Playwright adds --headless itself and takes the profile folder as userDataDir, not as a flag.
            var context = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = s_arguments,
                ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
                AcceptDownloads = false,
            });
            return new Chromium(playwright, context, profile);
        }
        catch
        {
            playwright.Dispose();
            Directory.Delete(profile, recursive: true);
            throw;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        _playwright.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // chromium may still be flushing its profile; a leftover temp folder is harmless.
        }
    }
}
