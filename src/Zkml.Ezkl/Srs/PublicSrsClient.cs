using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Zkml.Ezkl;

/// <summary>
/// Gets the public perpetual-powers-of-tau SRS for a k (ezkl's <c>get-srs</c>): downloads it (or reads a
/// local copy), checks its sha256 against the hash ezkl pins for that k, and keeps verified files in a
/// cache folder so later calls read the disk. A file that fails the check is never cached.
/// </summary>
public sealed partial class PublicSrsClient : IDisposable
{
    private readonly HttpClient _httpClient;
    private readonly bool _ownsHttpClient;
    private readonly PublicSrsOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a client with its own <see cref="HttpClient"/>.</summary>
    public PublicSrsClient(PublicSrsOptions? options = null, ILogger<PublicSrsClient>? logger = null)
        : this(new HttpClient(), ownsHttpClient: true, options, logger)
    {
    }

    /// <summary>Creates a client that downloads through <paramref name="httpClient"/> (not disposed by this client).</summary>
    public PublicSrsClient(HttpClient httpClient, PublicSrsOptions? options = null, ILogger<PublicSrsClient>? logger = null)
        : this(httpClient, ownsHttpClient: false, options, logger)
    {
    }

    private PublicSrsClient(HttpClient httpClient, bool ownsHttpClient, PublicSrsOptions? options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        _httpClient = httpClient;
        _ownsHttpClient = ownsHttpClient;
        _options = options ?? new PublicSrsOptions();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The smallest k with a public file.</summary>
    public const int MinLogrows = PublicSrsHashes.MinLogrows;

    /// <summary>The largest k with a public file.</summary>
    public const int MaxLogrows = PublicSrsHashes.MaxLogrows;

    /// <summary>The sha256 (lowercase hex) ezkl pins for the public SRS file of k = <paramref name="logrows"/> (1 to 26).</summary>
    public static string KnownSha256(int logrows) => PublicSrsHashes.ForLogrows(logrows);

    /// <summary>Where the verified file for <paramref name="logrows"/> is cached.</summary>
    public string CachePath(int logrows) => Path.Combine(_options.CacheDirectory, $"kzg{logrows}.srs");

    /// <summary>The URL of the public file for <paramref name="logrows"/>.</summary>
    public string DefaultLocation(int logrows) => _options.BaseUrl + logrows.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Returns the path of a verified copy of the public SRS for k = <paramref name="logrows"/>, fetching it
    /// into the cache first when it is not there (or no longer matches its hash).
    /// </summary>
    /// <param name="logrows">k, 1 to 26.</param>
    /// <param name="location">An http(s) URL, a <c>file:</c> URL or a local path to fetch from instead of the default URL.</param>
    /// <param name="progress">Receives bytes downloaded.</param>
    /// <param name="cancellationToken">Cancels the download; nothing is cached then.</param>
    /// <exception cref="SrsIntegrityException">The fetched bytes do not have the pinned sha256.</exception>
    /// <exception cref="SrsDownloadException">The file could not be fetched.</exception>
    public async Task<string> GetFileAsync(int logrows, string? location = null, IProgress<SrsProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        string expected = KnownSha256(logrows);
        string cachePath = CachePath(logrows);
        if (File.Exists(cachePath))
        {
            string cached = await HashFileAsync(cachePath, cancellationToken).ConfigureAwait(false);
            if (cached == expected)
            {
                Log.CacheHit(_logger, logrows, cachePath);
                return cachePath;
            }

            Log.CacheCorrupt(_logger, logrows, cachePath, cached);
            File.Delete(cachePath);
        }

        location ??= DefaultLocation(logrows);
        Log.Fetching(_logger, logrows, location);
        await KzgSrs.WriteFileAtomicallyAsync(
            cachePath,
            async destination =>
            {
                string actual = await CopyHashedAsync(location, destination, progress, cancellationToken).ConfigureAwait(false);
                if (actual != expected)
                {
                    Log.HashMismatch(_logger, logrows, location, actual, expected);
                    throw new SrsIntegrityException(logrows, expected, actual, location);
                }
            },
            cancellationToken).ConfigureAwait(false);
        Log.Cached(_logger, logrows, cachePath);
        return cachePath;
    }

    /// <summary>Gets the public SRS for k = <paramref name="logrows"/> (see <see cref="GetFileAsync"/>) and loads it.</summary>
    /// <exception cref="SrsIntegrityException">The fetched bytes do not have the pinned sha256.</exception>
    /// <exception cref="SrsDownloadException">The file could not be fetched.</exception>
    public async Task<Srs> GetAsync(int logrows, string? location = null, IProgress<SrsProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        string path = await GetFileAsync(logrows, location, progress, cancellationToken).ConfigureAwait(false);
        return await Srs.LoadAsync(path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks that a local file is the public SRS for k = <paramref name="logrows"/> by its sha256.</summary>
    /// <exception cref="SrsIntegrityException">The file's sha256 is not the pinned one.</exception>
    public static async Task VerifyFileAsync(string path, int logrows, CancellationToken cancellationToken = default)
    {
        string expected = KnownSha256(logrows);
        string actual = await HashFileAsync(path, cancellationToken).ConfigureAwait(false);
        if (actual != expected)
        {
            throw new SrsIntegrityException(logrows, expected, actual, path);
        }
    }

    /// <summary>Checks that an SRS is the public one for its k by its sha256.</summary>
    /// <exception cref="SrsIntegrityException">The sha256 is not the pinned one.</exception>
    public static void Verify(Srs srs)
    {
        ArgumentNullException.ThrowIfNull(srs);
        string expected = KnownSha256(srs.Logrows);
        string actual = Convert.ToHexStringLower(SHA256.HashData(srs.Bytes.Span));
        if (actual != expected)
        {
            throw new SrsIntegrityException(srs.Logrows, expected, actual, "memory");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttpClient)
        {
            _httpClient.Dispose();
        }
    }

    private static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            byte[] hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
            return Convert.ToHexStringLower(hash);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SrsDownloadException(path, e.Message, isTransient: false, e);
        }
    }

    private async Task<string> CopyHashedAsync(string location, Stream destination, IProgress<SrsProgress>? progress, CancellationToken cancellationToken)
    {
        if (Uri.TryCreate(location, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return await DownloadHashedAsync(uri, destination, progress, cancellationToken).ConfigureAwait(false);
        }

        string path = uri is { IsFile: true } ? uri.LocalPath : location;
        try
        {
            await using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            return await CopyHashedAsync(source, source.Length, destination, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SrsDownloadException(location, e.Message, isTransient: false, e);
        }
    }

    private async Task<string> DownloadHashedAsync(Uri uri, Stream destination, IProgress<SrsProgress>? progress, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.DownloadTimeout);
        try
        {
            using HttpResponseMessage response = await _httpClient.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                int code = (int)response.StatusCode;
                bool transient = code >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
                throw new SrsDownloadException(uri.ToString(), $"HTTP {code} {response.ReasonPhrase}", transient);
            }

            await using Stream body = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            return await CopyHashedAsync(body, response.Content.Headers.ContentLength ?? 0, destination, progress, timeout.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new SrsDownloadException(uri.ToString(), e.Message, isTransient: true, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SrsDownloadException(uri.ToString(), $"no complete response within {_options.DownloadTimeout}", isTransient: true, e);
        }
        catch (IOException e)
        {
            throw new SrsDownloadException(uri.ToString(), e.Message, isTransient: true, e);
        }
    }

    private static async Task<string> CopyHashedAsync(Stream source, long length, Stream destination, IProgress<SrsProgress>? progress, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[1 << 16];
        long copied = 0;
        progress?.Report(new SrsProgress(SrsStage.Downloading, 0, length));
        while (true)
        {
            int read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            hash.AppendData(buffer, 0, read);
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            copied += read;
            progress?.Report(new SrsProgress(SrsStage.Downloading, copied, length));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "SRS k = {Logrows}: verified copy in cache at {Path}")]
        public static partial void CacheHit(ILogger logger, int logrows, string path);

        [LoggerMessage(2, LogLevel.Warning, "SRS k = {Logrows}: cached file {Path} has sha256 {Sha256}, not the pinned one; fetching it again")]
        public static partial void CacheCorrupt(ILogger logger, int logrows, string path, string sha256);

        [LoggerMessage(3, LogLevel.Information, "SRS k = {Logrows}: fetching {Location}")]
        public static partial void Fetching(ILogger logger, int logrows, string location);

        [LoggerMessage(4, LogLevel.Error, "SRS k = {Logrows}: {Location} has sha256 {Actual}, expected {Expected}; not cached")]
        public static partial void HashMismatch(ILogger logger, int logrows, string location, string actual, string expected);

        [LoggerMessage(5, LogLevel.Information, "SRS k = {Logrows}: verified and cached at {Path}")]
        public static partial void Cached(ILogger logger, int logrows, string path);
    }
}
