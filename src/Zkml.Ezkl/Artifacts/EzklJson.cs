using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Zkml.Ezkl;

/// <summary>JSON plumbing shared by the artifacts: ezkl's formatting (serde_json pretty, four spaces) and parsing.</summary>
internal static class EzklJson
{
    /// <summary>Pretty output as serde_json writes it: four-space indent, no HTML escaping.</summary>
    /// <remarks>
    /// The settings model's metadata comes from the source generator (<see cref="EzklJsonContext"/>): built by
    /// reflection it cost a fresh process ~65 ms on its first settings.json, before every first verify.
    /// </remarks>
    public static readonly JsonSerializerOptions Pretty = new()
    {
        WriteIndented = true,
        IndentSize = 4,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.Strict,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(EzklJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };

    /// <summary>Compact output (what the engine itself writes).</summary>
    public static readonly JsonSerializerOptions Compact = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 256 };

    /// <summary>Parses bytes into a document, turning any parse error into an invalid-artifact error of the kind.</summary>
    public static JsonDocument ParseDocument(ReadOnlyMemory<byte> bytes, ArtifactKind kind)
    {
        if (bytes.Length == 0)
        {
            throw ArtifactFiles.Invalid(kind, "the file is empty");
        }

        try
        {
            return JsonDocument.Parse(bytes, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw ArtifactFiles.Invalid(kind, "not valid JSON: " + ex.Message, ex);
        }
    }

    public static JsonElement RequireObject(JsonElement root, ArtifactKind kind)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw ArtifactFiles.Invalid(kind, $"expected a JSON object, found {root.ValueKind}");
        }

        return root;
    }

    public static JsonElement RequireProperty(JsonElement obj, string name, JsonValueKind valueKind, ArtifactKind kind)
    {
        if (!obj.TryGetProperty(name, out var value))
        {
            throw ArtifactFiles.Invalid(kind, $"missing field '{name}'");
        }

        if (value.ValueKind != valueKind)
        {
            throw ArtifactFiles.Invalid(kind, $"field '{name}' should be {valueKind}, found {value.ValueKind}");
        }

        return value;
    }

    /// <summary>Reads an array of arrays of little-endian hex felts (ezkl's instances, witness inputs/outputs).</summary>
    public static IReadOnlyList<IReadOnlyList<Felt>> ReadFeltMatrix(JsonElement array, string name, ArtifactKind kind)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw ArtifactFiles.Invalid(kind, $"field '{name}' should be an array of arrays of field elements");
        }

        var rows = new List<IReadOnlyList<Felt>>(array.GetArrayLength());
        var i = 0;
        foreach (var row in array.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array)
            {
                throw ArtifactFiles.Invalid(kind, $"{name}[{i}] should be an array of field elements");
            }

            var felts = new List<Felt>(row.GetArrayLength());
            var j = 0;
            foreach (var cell in row.EnumerateArray())
            {
                if (cell.ValueKind != JsonValueKind.String || !Felt.TryFromLittleEndianHex(cell.GetString(), out var felt))
                {
                    throw ArtifactFiles.Invalid(kind, $"{name}[{i}][{j}] is not a field element (64 little-endian hex digits)");
                }

                felts.Add(felt);
                j++;
            }

            rows.Add(felts.AsReadOnly());
            i++;
        }

        return rows.AsReadOnly();
    }

    /// <summary>Writes a list of felts as ezkl's JSON array of little-endian hex strings.</summary>
    public static byte[] WriteFeltArray(IEnumerable<Felt> felts)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var felt in felts)
            {
                writer.WriteStringValue(felt.ToLittleEndianHex());
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Formats a float as serde_json does for the values it prints: integral values keep a ".0".</summary>
    public static string FormatFloat(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.', StringComparison.Ordinal) || text.Contains('E', StringComparison.Ordinal)
               || text.Contains("Infinity", StringComparison.Ordinal) || text.Contains("NaN", StringComparison.Ordinal)
            ? text.Replace("E+", "e", StringComparison.Ordinal).Replace("E", "e", StringComparison.Ordinal)
            : text + ".0";
    }
}

/// <summary>Source-generated serialization metadata of the typed JSON artifacts.</summary>
[JsonSerializable(typeof(CircuitSettings))]
internal sealed partial class EzklJsonContext : JsonSerializerContext;

/// <summary>Writes doubles the way serde_json does (1.0, not 1) so settings round-trip byte for byte.</summary>
internal sealed class RustFloatJsonConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (!double.IsFinite(value))
        {
            throw new JsonException("ezkl settings cannot hold a non-finite number");
        }

        writer.WriteRawValue(EzklJson.FormatFloat(value), skipInputValidation: true);
    }
}
