namespace Zkml.Ezkl;

/// <summary>
/// A verifying key (<c>vk.key</c>) as the engine's genVk writes it. It commits to the circuit and its weights;
/// <see cref="EzklArtifact.Sha256"/> identifies the model. Deterministic: the same circuit and SRS give the same bytes.
/// </summary>
public sealed class VerifyingKey : EzklArtifact
{
    private const int MinimumLength = 64;

    private VerifyingKey(byte[] bytes)
        : base(bytes)
    {
    }

    /// <inheritdoc />
    public override ArtifactKind Kind => ArtifactKind.VerifyingKey;

    /// <summary>Wraps verifying-key bytes (copied) after checking they are not empty or obviously truncated.</summary>
    /// <exception cref="EzklInvalidArtifactException">The bytes are empty or too short.</exception>
    public static VerifyingKey FromBytes(ReadOnlySpan<byte> bytes) => Create(bytes.ToArray());

    /// <summary>Reads a vk.key file.</summary>
    public static VerifyingKey Load(string path) => Create(ArtifactFiles.Read(path));

    /// <summary>Reads a vk.key file.</summary>
    public static async Task<VerifyingKey> LoadAsync(string path, CancellationToken cancellationToken = default) =>
        Create(await ArtifactFiles.ReadAsync(path, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads a verifying key from a stream (to its end).</summary>
    public static async Task<VerifyingKey> ReadAsync(Stream stream, CancellationToken cancellationToken = default) =>
        Create(await ArtifactFiles.ReadAsync(stream, cancellationToken).ConfigureAwait(false));

    internal static VerifyingKey FromEngine(byte[] bytes) => new(bytes);

    private static VerifyingKey Create(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            throw ArtifactFiles.Invalid(ArtifactKind.VerifyingKey, "the file is empty");
        }

        if (bytes.Length < MinimumLength)
        {
            throw ArtifactFiles.Invalid(ArtifactKind.VerifyingKey, $"{bytes.Length} bytes is too short for a verifying key");
        }

        if (bytes[0] is (byte)'{' or (byte)'[')
        {
            throw ArtifactFiles.Invalid(ArtifactKind.VerifyingKey, "the file is JSON; a verifying key is binary");
        }

        return new VerifyingKey(bytes);
    }
}
