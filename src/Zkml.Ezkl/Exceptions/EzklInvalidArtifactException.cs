namespace Zkml.Ezkl;

/// <summary>
/// An artifact (settings, compiled circuit, input, witness, proof, key or SRS) is malformed: it could not be
/// parsed, is empty or truncated, or the engine's validation rejected it. <see cref="ArtifactKind"/> says which.
/// </summary>
public class EzklInvalidArtifactException : EzklException
{
    /// <summary>Creates the exception for an artifact of the given kind.</summary>
    public EzklInvalidArtifactException(ArtifactKind artifactKind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArtifactKind = artifactKind;
    }

    /// <summary>Which kind of artifact is malformed.</summary>
    public ArtifactKind ArtifactKind { get; }
}
