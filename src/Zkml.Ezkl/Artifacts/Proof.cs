using System.Text.Json;

namespace Zkml.Ezkl;

/// <summary>
/// A proof (<c>proof.json</c>) with its public instances, as the engine's prove writes it. The verifier reads
/// the exact bytes; <see cref="Instances"/> and <see cref="ProofBytes"/> are parsed views.
/// </summary>
public sealed class Proof : EzklArtifact
{
    private readonly byte[] _proofBytes;

    private Proof(byte[] bytes, IReadOnlyList<IReadOnlyList<Felt>> instances, byte[] proofBytes, string? transcriptType, string? version)
        : base(bytes)
    {
        Instances = instances;
        _proofBytes = proofBytes;
        TranscriptType = transcriptType;
        Version = version;
    }

    /// <inheritdoc />
    public override ArtifactKind Kind => ArtifactKind.Proof;

    /// <summary>The public instances, one list per instance column (public inputs first, then public outputs).</summary>
    public IReadOnlyList<IReadOnlyList<Felt>> Instances { get; }

    /// <summary>The raw proof transcript (the <c>proof</c> member), as the EVM verifier takes it.</summary>
    public ReadOnlyMemory<byte> ProofBytes => _proofBytes;

    /// <summary>The transcript type (<c>EVM</c> or <c>Poseidon</c>), when present.</summary>
    public string? TranscriptType { get; }

    /// <summary>The engine version that wrote the proof, when present.</summary>
    public string? Version { get; }

    /// <summary>Parses proof.json bytes (copied).</summary>
    /// <exception cref="EzklInvalidArtifactException">The bytes are not a proof.</exception>
    public static Proof FromBytes(ReadOnlySpan<byte> bytes) => Create(bytes.ToArray());

    /// <summary>Reads a proof.json file.</summary>
    public static Proof Load(string path) => Create(ArtifactFiles.Read(path));

    /// <summary>Reads a proof.json file.</summary>
    public static async Task<Proof> LoadAsync(string path, CancellationToken cancellationToken = default) =>
        Create(await ArtifactFiles.ReadAsync(path, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads a proof from a stream (to its end).</summary>
    public static async Task<Proof> ReadAsync(Stream stream, CancellationToken cancellationToken = default) =>
        Create(await ArtifactFiles.ReadAsync(stream, cancellationToken).ConfigureAwait(false));

    internal static Proof FromEngine(byte[] bytes) => Create(bytes);

    private static Proof Create(byte[] bytes)
    {
        const ArtifactKind kind = ArtifactKind.Proof;
        using var doc = EzklJson.ParseDocument(bytes, kind);
        var root = EzklJson.RequireObject(doc.RootElement, kind);
        var instances = EzklJson.ReadFeltMatrix(EzklJson.RequireProperty(root, "instances", JsonValueKind.Array, kind), "instances", kind);
        var proofArray = EzklJson.RequireProperty(root, "proof", JsonValueKind.Array, kind);
        var proofBytes = new byte[proofArray.GetArrayLength()];
        var i = 0;
        foreach (var b in proofArray.EnumerateArray())
        {
            if (b.ValueKind != JsonValueKind.Number || !b.TryGetByte(out proofBytes[i]))
            {
                throw ArtifactFiles.Invalid(kind, $"proof[{i}] is not a byte");
            }

            i++;
        }

        if (proofBytes.Length == 0)
        {
            throw ArtifactFiles.Invalid(kind, "the proof transcript is empty");
        }

        return new Proof(bytes, instances, proofBytes, OptionalString(root, "transcript_type"), OptionalString(root, "version"));
    }

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
