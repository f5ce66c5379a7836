namespace Zkml.Ezkl;

/// <summary>
/// A proving key (<c>pk.key</c>) as the engine's genPk writes it: the verifying key plus what the prover needs
/// (fixed and permutation polynomials). Deterministic: the same vk, circuit and SRS give the same bytes.
/// </summary>
public sealed class ProvingKey : EzklArtifact
{
    private const int MinimumLength = 64;

    private ProvingKey(byte[] bytes)
        : base(bytes)
    {
    }

    /// <inheritdoc />
    public override ArtifactKind Kind => ArtifactKind.ProvingKey;

    /// <summary>Wraps proving-key bytes (copied) after checking they are not empty or obviously truncated.</summary>
    /// <exception cref="EzklInvalidArtifactException">The bytes are empty or too short.</exception>
    public static ProvingKey FromBytes(ReadOnlySpan<byte> bytes) => Create(bytes.ToArray());

    /// <summary>Reads a pk.key file.</summary>
    public static ProvingKey Load(string path) => Create(ArtifactFiles.Read(path));

    /// <summary>Reads a pk.key file.</summary>
    public static async Task<ProvingKey> LoadAsync(string path, CancellationToken cancellationToken = default) =>
        Create(await ArtifactFiles.ReadAsync(path, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads a proving key from a stream (to its end).</summary>
    public static async Task<ProvingKey> ReadAsync(Stream stream, CancellationToken cancellationToken = default) =>
        Create(await ArtifactFiles.ReadAsync(stream, cancellationToken).ConfigureAwait(false));

    internal static ProvingKey FromEngine(byte[] bytes) => new(bytes);

    private static ProvingKey Create(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            throw ArtifactFiles.Invalid(ArtifactKind.ProvingKey, "the file is empty");
        }

        if (bytes.Length < MinimumLength)
        {
            throw ArtifactFiles.Invalid(ArtifactKind.ProvingKey, $"{bytes.Length} bytes is too short for a proving key");
        }

        if (bytes[0] is (byte)'{' or (byte)'[')
        {
            throw ArtifactFiles.Invalid(ArtifactKind.ProvingKey, "the file is JSON; a proving key is binary");
        }

        return new ProvingKey(bytes);
    }
}
