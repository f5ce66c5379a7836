using System.Text.Json;

namespace Zkml.Ezkl;

/// <summary>
/// A witness (<c>witness.json</c>): the quantized inputs and outputs of one inference, as the engine's
/// genWitness writes it. The prover reads the exact bytes; <see cref="Inputs"/> and <see cref="Outputs"/> are
/// parsed views.
/// </summary>
public sealed class Witness : EzklArtifact
{
    private Witness(byte[] bytes, IReadOnlyList<IReadOnlyList<Felt>> inputs, IReadOnlyList<IReadOnlyList<Felt>> outputs)
        : base(bytes)
    {
        Inputs = inputs;
        Outputs = outputs;
    }

    /// <inheritdoc />
    public override ArtifactKind Kind => ArtifactKind.Witness;

    /// <summary>The quantized model inputs, one list per input.</summary>
    public IReadOnlyList<IReadOnlyList<Felt>> Inputs { get; }

    /// <summary>The quantized model outputs, one list per output.</summary>
    public IReadOnlyList<IReadOnlyList<Felt>> Outputs { get; }

    /// <summary>Parses witness.json bytes (copied).</summary>
    /// <exception cref="EzklInvalidArtifactException">The bytes are not a witness.</exception>
    public static Witness FromBytes(ReadOnlySpan<byte> bytes) => Create(bytes.ToArray());

    /// <summary>Reads a witness.json file.</summary>
    public static Witness Load(string path) => Create(ArtifactFiles.Read(path));

    /// <summary>Reads a witness.json file.</summary>
    public static async Task<Witness> LoadAsync(string path, CancellationToken cancellationToken = default) =>
        Create(await ArtifactFiles.ReadAsync(path, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads a witness from a stream (to its end).</summary>
    public static async Task<Witness> ReadAsync(Stream stream, CancellationToken cancellationToken = default) =>
        Create(await ArtifactFiles.ReadAsync(stream, cancellationToken).ConfigureAwait(false));

    internal static Witness FromEngine(byte[] bytes) => Create(bytes);

    private static Witness Create(byte[] bytes)
    {
        const ArtifactKind kind = ArtifactKind.Witness;
        using var doc = EzklJson.ParseDocument(bytes, kind);
        var root = EzklJson.RequireObject(doc.RootElement, kind);
        var inputs = EzklJson.ReadFeltMatrix(EzklJson.RequireProperty(root, "inputs", JsonValueKind.Array, kind), "inputs", kind);
        var outputs = EzklJson.ReadFeltMatrix(EzklJson.RequireProperty(root, "outputs", JsonValueKind.Array, kind), "outputs", kind);
        return new Witness(bytes, inputs, outputs);
    }
}
