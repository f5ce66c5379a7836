using System.Text.Json;

namespace Zkml.Ezkl;

/// <summary>
/// A model input (<c>input.json</c>): <c>input_data</c>, one flat array of values per model input (numbers,
/// booleans or field elements), and
/// optionally <c>output_data</c> (expected outputs, used by calibration).
/// </summary>
public sealed class ModelInput : EzklArtifact
{
    private ModelInput(byte[] bytes, IReadOnlyList<IReadOnlyList<double>> inputData)
        : base(bytes)
    {
        InputData = inputData;
    }

    /// <inheritdoc />
    public override ArtifactKind Kind => ArtifactKind.Input;

    /// <summary>
    /// The input values, one flattened array per model input (booleans as 0 and 1, field elements as the signed
    /// integer they stand for).
    /// </summary>
    public IReadOnlyList<IReadOnlyList<double>> InputData { get; }

    /// <summary>Parses input.json bytes (copied).</summary>
    /// <exception cref="EzklInvalidArtifactException">The bytes are not an input file.</exception>
    public static ModelInput FromBytes(ReadOnlySpan<byte> bytes) => Create(bytes.ToArray());

    /// <summary>Builds an input file from values: one flattened array per model input.</summary>
    public static ModelInput FromValues(IEnumerable<IEnumerable<double>> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("input_data");
            foreach (var input in inputs)
            {
                writer.WriteStartArray();
                foreach (var value in input)
                {
                    if (!double.IsFinite(value))
                    {
                        throw ArtifactFiles.Invalid(ArtifactKind.Input, $"input value {value} is not a finite number");
                    }

                    writer.WriteNumberValue(value);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Create(buffer.WrittenSpan.ToArray());
    }

    /// <summary>Reads an input.json file.</summary>
    public static ModelInput Load(string path) => Create(ArtifactFiles.Read(path));

    /// <summary>Reads an input.json file.</summary>
    public static async Task<ModelInput> LoadAsync(string path, CancellationToken cancellationToken = default) =>
        Create(await ArtifactFiles.ReadAsync(path, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads an input file from a stream (to its end).</summary>
    public static async Task<ModelInput> ReadAsync(Stream stream, CancellationToken cancellationToken = default) =>
        Create(await ArtifactFiles.ReadAsync(stream, cancellationToken).ConfigureAwait(false));

    private static ModelInput Create(byte[] bytes)
    {
        const ArtifactKind kind = ArtifactKind.Input;
        using var doc = EzklJson.ParseDocument(bytes, kind);
        var root = EzklJson.RequireObject(doc.RootElement, kind);
        var data = EzklJson.RequireProperty(root, "input_data", JsonValueKind.Array, kind);
        var inputs = new List<IReadOnlyList<double>>();
        var i = 0;
        foreach (var input in data.EnumerateArray())
        {
            if (input.ValueKind != JsonValueKind.Array)
            {
                throw ArtifactFiles.Invalid(kind, $"input_data[{i}] should be an array of numbers");
            }

            var values = new List<double>(input.GetArrayLength());
            var j = 0;
            foreach (var value in input.EnumerateArray())
            {
                values.Add(value.ValueKind switch
                {
                    JsonValueKind.Number when value.TryGetDouble(out var number) => number,
                    JsonValueKind.True => 1.0,
                    JsonValueKind.False => 0.0,
                    // ezkl also takes a field element (little-endian hex) as a raw, unscaled value.
                    JsonValueKind.String when Felt.TryFromLittleEndianHex(value.GetString(), out var felt) => (double)felt.ToSignedInteger(),
                    _ => throw ArtifactFiles.Invalid(kind, $"input_data[{i}][{j}] should be a number, a boolean or a field element, found {value.ValueKind}"),
                });
                j++;
            }

            inputs.Add(values.AsReadOnly());
            i++;
        }

        if (inputs.Count == 0)
        {
            throw ArtifactFiles.Invalid(kind, "input_data is empty");
        }

        return new ModelInput(bytes, inputs.AsReadOnly());
    }
}
