using Zkml.Ezkl.Compilation.Circuit;

namespace Zkml.Ezkl;

/// <summary>
/// A compiled circuit (<c>network.compiled</c>): the model and its settings in ezkl's bincode format, as
/// <c>ezkl compile-circuit</c> or the Zkml compiler writes it. The engine reads it for witness, setup and prove.
/// </summary>
public sealed class CompiledCircuit : EzklArtifact
{
    // The smallest bincode GraphCircuit (empty graph, default settings) is well above this; anything shorter is
    // certainly a truncated or foreign file.
    private const int MinimumLength = 64;

    private CompiledCircuit(byte[] bytes)
        : base(bytes)
    {
    }

    private int _logrows;

    /// <inheritdoc />
    public override ArtifactKind Kind => ArtifactKind.CompiledCircuit;

    /// <summary>
    /// The logrows (k) the circuit was built for, read from the settings inside its bincode: the SRS size it needs
    /// (for example to downsize a larger SRS with <see cref="KzgSrs.LoadForLogrowsAsync"/>). Decoded on first use.
    /// </summary>
    /// <exception cref="CompiledCircuitFormatException">The bytes are not ezkl 21's compiled-circuit layout.</exception>
    public int Logrows
    {
        get
        {
            if (_logrows == 0)
            {
                _logrows = CompiledCircuitCodec.ReadLogrows(Bytes);
            }

            return _logrows;
        }
    }

    /// <summary>Like <see cref="Logrows"/>, but returns false for bytes that are not ezkl 21's layout.</summary>
    /// <param name="logrows">k when the result is true.</param>
    /// <returns>Whether k could be read.</returns>
    public bool TryGetLogrows(out int logrows)
    {
        try
        {
            logrows = Logrows;
            return true;
        }
        catch (CompiledCircuitFormatException)
        {
            logrows = 0;
            return false;
        }
    }

    /// <summary>Wraps compiled-circuit bytes (copied) after checking they are not empty or truncated.</summary>
    /// <exception cref="EzklInvalidArtifactException">The bytes are empty or too short to be a circuit.</exception>
    public static CompiledCircuit FromBytes(ReadOnlySpan<byte> bytes) => Create(bytes.ToArray());

    /// <summary>Reads a compiled circuit file.</summary>
    public static CompiledCircuit Load(string path) => Create(ArtifactFiles.Read(path));

    /// <summary>Reads a compiled circuit file.</summary>
    public static async Task<CompiledCircuit> LoadAsync(string path, CancellationToken cancellationToken = default) =>
        Create(await ArtifactFiles.ReadAsync(path, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads a compiled circuit from a stream (to its end).</summary>
    public static async Task<CompiledCircuit> ReadAsync(Stream stream, CancellationToken cancellationToken = default) =>
        Create(await ArtifactFiles.ReadAsync(stream, cancellationToken).ConfigureAwait(false));

    private static CompiledCircuit Create(byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            throw ArtifactFiles.Invalid(ArtifactKind.CompiledCircuit, "the file is empty");
        }

        if (bytes.Length < MinimumLength)
        {
            throw ArtifactFiles.Invalid(ArtifactKind.CompiledCircuit, $"{bytes.Length} bytes is too short for a compiled circuit");
        }

        if (bytes[0] is (byte)'{' or (byte)'[')
        {
            throw ArtifactFiles.Invalid(ArtifactKind.CompiledCircuit, "the file is JSON; a compiled circuit is binary (did you pass settings.json or input.json?)");
        }

        return new CompiledCircuit(bytes);
    }
}
