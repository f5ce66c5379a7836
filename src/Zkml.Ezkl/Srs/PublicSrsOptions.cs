namespace Zkml.Ezkl;

/// <summary>Where <see cref="PublicSrsClient"/> downloads public SRS files from and where it caches them.</summary>
public sealed class PublicSrsOptions
{
    /// <summary>ezkl's public source: the perpetual-powers-of-tau files in halo2 RawBytes layout, one per k (the URL is this prefix followed by k).</summary>
    public const string DefaultBaseUrl = "https://trusted-setup-halo2kzg.s3.eu-central-1.amazonaws.com/perpetual-powers-of-tau-raw-";

    /// <summary>The URL prefix; the file for k is at <c>BaseUrl + k</c>.</summary>
    public string BaseUrl { get; set; } = DefaultBaseUrl;

    /// <summary>
    /// The folder holding verified files as <c>kzg{k}.srs</c>. Default: <c>$XDG_CACHE_HOME/zkml/srs</c>
    /// (or <c>~/.cache/zkml/srs</c>); on Windows <c>%LOCALAPPDATA%\zkml\srs</c>.
    /// </summary>
    public string CacheDirectory { get; set; } = DefaultCacheDirectory();

    /// <summary>The longest a download may take (large k are gigabytes).</summary>
    public TimeSpan DownloadTimeout { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The default cache folder for this user and platform.</summary>
    public static string DefaultCacheDirectory()
    {
        if (OperatingSystem.IsWindows())
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "zkml", "srs");
        }

        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = string.IsNullOrEmpty(xdg)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache")
            : xdg;
        return Path.Combine(root, "zkml", "srs");
    }
}
