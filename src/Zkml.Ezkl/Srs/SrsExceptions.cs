namespace Zkml.Ezkl;

/// <summary>
/// An SRS file does not have the sha256 of the public ceremony file for its k: it was corrupted, tampered
/// with, or is not the ceremony file. Nothing was cached.
/// </summary>
public sealed class SrsIntegrityException : EzklInvalidArtifactException
{
    /// <summary>Creates the exception for a hash mismatch.</summary>
    public SrsIntegrityException(int logrows, string expectedSha256, string actualSha256, string location)
        : base(
            ArtifactKind.Srs,
            $"the SRS for k = {logrows} from {location} has sha256 {actualSha256}, but the public ceremony file has {expectedSha256}: corrupted, tampered with, or not the ceremony file")
    {
        Logrows = logrows;
        ExpectedSha256 = expectedSha256;
        ActualSha256 = actualSha256;
        Location = location;
    }

    /// <summary>The k that was requested.</summary>
    public int Logrows { get; }

    /// <summary>The pinned sha256 of the public file (lowercase hex).</summary>
    public string ExpectedSha256 { get; }

    /// <summary>The sha256 of the bytes received (lowercase hex).</summary>
    public string ActualSha256 { get; }

    /// <summary>Where the bytes came from (a URL or a path).</summary>
    public string Location { get; }
}

/// <summary>A public SRS file could not be downloaded or read. <see cref="EzklException.IsTransient"/> says whether retrying may help.</summary>
public sealed class SrsDownloadException : EzklException
{
    private readonly bool _isTransient;

    /// <summary>Creates the exception for a failed fetch.</summary>
    public SrsDownloadException(string location, string message, bool isTransient, Exception? innerException = null)
        : base($"cannot get the SRS from {location}: {message}", innerException)
    {
        Location = location;
        _isTransient = isTransient;
    }

    /// <summary>The URL or path that failed.</summary>
    public string Location { get; }

    /// <inheritdoc />
    public override bool IsTransient => _isTransient;
}
