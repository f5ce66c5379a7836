using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Zkml.Ezkl;

/// <summary>
/// ezkl's <c>settings.json</c> as a typed model: the run arguments the circuit was built with and the sizes the
/// compiler measured. Members are declared in ezkl's order and unknown members are kept, so a file parsed and
/// written again comes back byte for byte (serde_json's pretty format: four-space indent, floats with ".0").
/// </summary>
public sealed class CircuitSettings
{
    /// <summary>The arguments the circuit was generated with (scales, logrows, visibilities...).</summary>
    [JsonPropertyName("run_args")]
    [JsonRequired]
    public RunArgs RunArgs { get; set; } = new();

    /// <summary>Rows the circuit's layout uses.</summary>
    [JsonPropertyName("num_rows")]
    [JsonRequired]
    public long NumRows { get; set; }

    /// <summary>Advice cells assigned by the layout (its linear coordinate).</summary>
    [JsonPropertyName("total_assignments")]
    [JsonRequired]
    public long TotalAssignments { get; set; }

    /// <summary>Distinct constant values the layout assigns.</summary>
    [JsonPropertyName("total_const_size")]
    [JsonRequired]
    public long TotalConstSize { get; set; }

    /// <summary>Column size used by dynamic lookups.</summary>
    [JsonPropertyName("total_dynamic_col_size")]
    public long TotalDynamicColSize { get; set; }

    /// <summary>Longest input of a dynamic lookup.</summary>
    [JsonPropertyName("max_dynamic_input_len")]
    public long MaxDynamicInputLen { get; set; }

    /// <summary>Number of dynamic lookups.</summary>
    [JsonPropertyName("num_dynamic_lookups")]
    public long NumDynamicLookups { get; set; }

    /// <summary>Number of shuffle arguments.</summary>
    [JsonPropertyName("num_shuffles")]
    public long NumShuffles { get; set; }

    /// <summary>Column size used by shuffles.</summary>
    [JsonPropertyName("total_shuffle_col_size")]
    public long TotalShuffleColSize { get; set; }

    /// <summary>Shapes of the public instances (public inputs first, then public outputs).</summary>
    [JsonPropertyName("model_instance_shapes")]
    [JsonRequired]
    public List<List<long>> ModelInstanceShapes { get; set; } = [];

    /// <summary>Fixed-point scale (log2) of each model output.</summary>
    [JsonPropertyName("model_output_scales")]
    [JsonRequired]
    public List<int> ModelOutputScales { get; set; } = [];

    /// <summary>Fixed-point scale (log2) of each model input.</summary>
    [JsonPropertyName("model_input_scales")]
    [JsonRequired]
    public List<int> ModelInputScales { get; set; } = [];

    /// <summary>Constraint and instance counts of the Poseidon and polycommit modules, as ezkl writes them.</summary>
    [JsonPropertyName("module_sizes")]
    public JsonObject ModuleSizes { get; set; } = new() { ["polycommit"] = new JsonArray(), ["poseidon"] = new JsonArray(0, new JsonArray(0)) };

    /// <summary>Lookup tables the circuit needs, in ezkl's enum encoding (order matters for the keys).</summary>
    [JsonPropertyName("required_lookups")]
    public List<JsonNode?> RequiredLookups { get; set; } = [];

    /// <summary>Range checks the circuit needs (order matters for the keys).</summary>
    [JsonPropertyName("required_range_checks")]
    public List<IntRange> RequiredRangeChecks { get; set; } = [];

    /// <summary>Whether the engine double-checks the layout (SAFE) or not (UNSAFE).</summary>
    [JsonPropertyName("check_mode")]
    public CheckMode CheckMode { get; set; } = CheckMode.Unsafe;

    /// <summary>The ezkl version that wrote the settings.</summary>
    [JsonPropertyName("version")]
    public string Version { get; set; } = "0.0.0";

    /// <summary>Blinding factors, when fixed in advance (ezkl writes null).</summary>
    [JsonPropertyName("num_blinding_factors")]
    public int? NumBlindingFactors { get; set; }

    /// <summary>When the settings were generated, in milliseconds since the Unix epoch (null from the wasm engine).</summary>
    [JsonPropertyName("timestamp")]
    public long? Timestamp { get; set; }

    /// <summary>Datum types of the model inputs (newer ezkl only; omitted when null).</summary>
    [JsonPropertyName("input_types")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<JsonNode?>? InputTypes { get; set; }

    /// <summary>Datum types of the model outputs (newer ezkl only; omitted when null).</summary>
    [JsonPropertyName("output_types")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<JsonNode?>? OutputTypes { get; set; }

    /// <summary>Members this model does not know, kept so that writing the settings loses nothing.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalMembers { get; set; }

    /// <summary>Parses settings.json bytes and validates them.</summary>
    /// <exception cref="EzklInvalidArtifactException">The bytes are not valid settings.</exception>
    public static CircuitSettings Parse(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.IsEmpty)
        {
            throw ArtifactFiles.Invalid(ArtifactKind.Settings, "the file is empty");
        }

        CircuitSettings? settings;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 256 });
            using (var doc = JsonDocument.ParseValue(ref reader))
            {
                var root = EzklJson.RequireObject(doc.RootElement, ArtifactKind.Settings);
                EzklJson.RequireProperty(root, "run_args", JsonValueKind.Object, ArtifactKind.Settings);
                settings = root.Deserialize<CircuitSettings>(EzklJson.Pretty);
            }
        }
        catch (JsonException ex)
        {
            throw ArtifactFiles.Invalid(ArtifactKind.Settings, ex.Message, ex);
        }

        if (settings is null)
        {
            throw ArtifactFiles.Invalid(ArtifactKind.Settings, "the document is null");
        }

        settings.Validate();
        return settings;
    }

    /// <summary>Parses settings from a JSON string.</summary>
    public static CircuitSettings Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(System.Text.Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Reads and validates a settings.json file.</summary>
    public static CircuitSettings Load(string path) => Parse(ArtifactFiles.Read(path));

    /// <summary>Reads and validates a settings.json file.</summary>
    public static async Task<CircuitSettings> LoadAsync(string path, CancellationToken cancellationToken = default) =>
        Parse(await ArtifactFiles.ReadAsync(path, cancellationToken).ConfigureAwait(false));

    /// <summary>Reads and validates settings from a stream (read to its end).</summary>
    public static async Task<CircuitSettings> ReadAsync(Stream stream, CancellationToken cancellationToken = default) =>
        Parse(await ArtifactFiles.ReadAsync(stream, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Checks what the engine relies on: logrows in [1, 28], at least one inner column, a decomposition base of
    /// at least 2 with at least one leg, non-negative counters, and valid range checks.
    /// </summary>
    /// <exception cref="EzklInvalidArtifactException">A value is out of range.</exception>
    public void Validate()
    {
        var args = RunArgs ?? throw ArtifactFiles.Invalid(ArtifactKind.Settings, "run_args is null");
        Check(args.Logrows is >= 1 and <= 28, $"run_args.logrows must be in [1, 28], found {args.Logrows}");
        Check(args.NumInnerCols >= 1, $"run_args.num_inner_cols must be at least 1, found {args.NumInnerCols}");
        Check(args.DecompBase >= 2, $"run_args.decomp_base must be at least 2, found {args.DecompBase}");
        Check(args.DecompLegs >= 1, $"run_args.decomp_legs must be at least 1, found {args.DecompLegs}");
        Check(args.ScaleRebaseMultiplier >= 1, $"run_args.scale_rebase_multiplier must be at least 1, found {args.ScaleRebaseMultiplier}");
        Check(args.LookupRange.Min <= args.LookupRange.Max, $"run_args.lookup_range is inverted: {args.LookupRange}");
        Check(args.InputVisibility is not null && args.OutputVisibility is not null && args.ParamVisibility is not null,
            "run_args visibilities must be set");
        Check(NumRows >= 0 && TotalAssignments >= 0 && TotalConstSize >= 0 && TotalDynamicColSize >= 0
              && MaxDynamicInputLen >= 0 && NumDynamicLookups >= 0 && NumShuffles >= 0 && TotalShuffleColSize >= 0,
            "size counters must not be negative");
        Check(ModelInstanceShapes is not null && ModelInputScales is not null && ModelOutputScales is not null
              && RequiredLookups is not null && RequiredRangeChecks is not null && ModuleSizes is not null,
            "model_instance_shapes, model_*_scales, module_sizes, required_lookups and required_range_checks must be present");
        foreach (var range in RequiredRangeChecks!)
        {
            Check(range.Min <= range.Max, $"required range check {range} is inverted");
        }

        foreach (var shape in ModelInstanceShapes!)
        {
            Check(shape is not null && shape.TrueForAll(d => d >= 0), "model_instance_shapes holds a negative or null dimension");
        }
    }

    /// <summary>The settings as ezkl writes them (pretty JSON, UTF-8).</summary>
    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, EzklJson.Pretty);

    /// <summary>The settings as ezkl writes them (pretty JSON).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, EzklJson.Pretty);

    /// <summary>Writes settings.json atomically.</summary>
    public Task SaveAsync(string path, CancellationToken cancellationToken = default) =>
        ArtifactFiles.WriteAtomicallyAsync(path, ToJsonBytes(), cancellationToken);

    /// <summary>A deep copy.</summary>
    public CircuitSettings Clone() => Parse(ToJsonBytes());

    private static void Check(bool condition, string problem)
    {
        if (!condition)
        {
            throw ArtifactFiles.Invalid(ArtifactKind.Settings, problem);
        }
    }
}

/// <summary>ezkl's <c>check_mode</c>.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CheckMode>))]
public enum CheckMode
{
    /// <summary>The engine re-checks the layout while synthesizing (slower).</summary>
    [JsonStringEnumMemberName("SAFE")]
    Safe,

    /// <summary>No extra checks.</summary>
    [JsonStringEnumMemberName("UNSAFE")]
    Unsafe,
}

/// <summary>The <c>run_args</c> of settings.json: how the model was quantized and laid out.</summary>
public sealed class RunArgs
{
    /// <summary>Allowed error of the outputs, as a percentage.</summary>
    [JsonPropertyName("tolerance")]
    public Tolerance Tolerance { get; set; } = new();

    /// <summary>Fixed-point scale (log2) of the inputs.</summary>
    [JsonPropertyName("input_scale")]
    [JsonRequired]
    public int InputScale { get; set; } = 7;

    /// <summary>Fixed-point scale (log2) of the parameters.</summary>
    [JsonPropertyName("param_scale")]
    [JsonRequired]
    public int ParamScale { get; set; } = 7;

    /// <summary>Rebase when a product's scale exceeds this multiple of the input scale.</summary>
    [JsonPropertyName("scale_rebase_multiplier")]
    [JsonRequired]
    public int ScaleRebaseMultiplier { get; set; } = 1;

    /// <summary>Range of the lookup tables.</summary>
    [JsonPropertyName("lookup_range")]
    public IntRange LookupRange { get; set; } = new(-32768, 32768);

    /// <summary>log2 of the number of rows; the SRS must have exactly this k.</summary>
    [JsonPropertyName("logrows")]
    [JsonRequired]
    public int Logrows { get; set; } = 17;

    /// <summary>Inner columns per advice block.</summary>
    [JsonPropertyName("num_inner_cols")]
    [JsonRequired]
    public int NumInnerCols { get; set; } = 2;

    /// <summary>Values of symbolic dimensions (for example <c>batch_size</c>).</summary>
    [JsonPropertyName("variables")]
    public List<CircuitVariable> Variables { get; set; } = [new("batch_size", 1)];

    /// <summary>Visibility of the model inputs.</summary>
    [JsonPropertyName("input_visibility")]
    [JsonRequired]
    public Visibility InputVisibility { get; set; } = Visibility.Private;

    /// <summary>Visibility of the model outputs.</summary>
    [JsonPropertyName("output_visibility")]
    [JsonRequired]
    public Visibility OutputVisibility { get; set; } = Visibility.Public;

    /// <summary>Visibility of the model parameters.</summary>
    [JsonPropertyName("param_visibility")]
    [JsonRequired]
    public Visibility ParamVisibility { get; set; } = Visibility.Private;

    /// <summary>Older ezkl's <c>div_rebasing</c> flag; omitted when null (engine 21.0.0 ignores it).</summary>
    [JsonPropertyName("div_rebasing")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? DivRebasing { get; set; }

    /// <summary>Whether fractional constants are rebased to zero.</summary>
    [JsonPropertyName("rebase_frac_zero_constants")]
    public bool RebaseFracZeroConstants { get; set; }

    /// <summary>SAFE or UNSAFE layout checking.</summary>
    [JsonPropertyName("check_mode")]
    public CheckMode CheckMode { get; set; } = CheckMode.Unsafe;

    /// <summary>The polynomial commitment scheme (<c>KZG</c>); omitted when null.</summary>
    [JsonPropertyName("commitment")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Commitment { get; set; } = "KZG";

    /// <summary>Base of the decomposition used by range checks and ReLU.</summary>
    [JsonPropertyName("decomp_base")]
    public long DecompBase { get; set; } = 16384;

    /// <summary>Number of digits of the decomposition.</summary>
    [JsonPropertyName("decomp_legs")]
    public int DecompLegs { get; set; } = 2;

    /// <summary>Whether log lookups are bounded.</summary>
    [JsonPropertyName("bounded_log_lookup")]
    public bool BoundedLogLookup { get; set; }

    /// <summary>Whether range checks on inputs and outputs are skipped.</summary>
    [JsonPropertyName("ignore_range_check_inputs_outputs")]
    public bool IgnoreRangeCheckInputsOutputs { get; set; }

    /// <summary>Members this model does not know, kept for lossless writing.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalMembers { get; set; }

    /// <summary>A deep copy.</summary>
    /// <returns>The copy.</returns>
    public RunArgs Clone() => JsonSerializer.Deserialize<RunArgs>(JsonSerializer.SerializeToUtf8Bytes(this, EzklJson.Pretty), EzklJson.Pretty)!;

    /// <summary>The value of a symbolic dimension, if set.</summary>
    /// <param name="name">The dimension's name.</param>
    /// <returns>Its value, or null.</returns>
    public long? Variable(string name) => Variables.Find(v => v.Name == name)?.Value;
}

/// <summary>The output tolerance of <see cref="RunArgs"/>.</summary>
public sealed class Tolerance
{
    /// <summary>The tolerance value (percent).</summary>
    [JsonPropertyName("val")]
    [JsonConverter(typeof(RustFloatJsonConverter))]
    public double Value { get; set; }

    /// <summary>The scale the tolerance applies at.</summary>
    [JsonPropertyName("scale")]
    [JsonConverter(typeof(RustFloatJsonConverter))]
    public double Scale { get; set; } = 1.0;

    /// <summary>Members this model does not know, kept for lossless writing.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalMembers { get; set; }
}

/// <summary>An inclusive integer range, written by ezkl as a two-element array <c>[min, max]</c>.</summary>
[JsonConverter(typeof(IntRangeJsonConverter))]
public readonly record struct IntRange(long Min, long Max)
{
    /// <inheritdoc />
    public override string ToString() => $"[{Min}, {Max}]";
}

/// <summary>A symbolic dimension and its value, written by ezkl as <c>["name", value]</c>.</summary>
[JsonConverter(typeof(CircuitVariableJsonConverter))]
public sealed record CircuitVariable(string Name, long Value);

/// <summary>
/// Visibility of inputs, outputs or parameters: <c>Private</c>, <c>Public</c>, <c>Fixed</c>, <c>KZGCommit</c>,
/// or <c>Hashed</c> with its options. Unknown forms are kept as written.
/// </summary>
[JsonConverter(typeof(VisibilityJsonConverter))]
public sealed class Visibility : IEquatable<Visibility>
{
    private readonly string _json;

    private Visibility(string kind, string json)
    {
        Kind = kind;
        _json = json;
    }

    /// <summary>Known only to the prover.</summary>
    public static Visibility Private { get; } = new("Private", "\"Private\"");

    /// <summary>A public instance of the proof.</summary>
    public static Visibility Public { get; } = new("Public", "\"Public\"");

    /// <summary>Fixed in the circuit (baked into the keys).</summary>
    public static Visibility Fixed { get; } = new("Fixed", "\"Fixed\"");

    /// <summary>Committed with KZG; the commitment is part of the proof.</summary>
    public static Visibility KzgCommit { get; } = new("KZGCommit", "\"KZGCommit\"");

    /// <summary>Poseidon-hashed; the hash is public when <paramref name="hashIsPublic"/>.</summary>
    public static Visibility Hashed(bool hashIsPublic) => Hashed(hashIsPublic, []);

    /// <summary>Poseidon-hashed values, with the hashed outlets ezkl records.</summary>
    internal static Visibility Hashed(bool hashIsPublic, IReadOnlyList<ulong> outlets) =>
        new("Hashed", $"{{\"Hashed\":{{\"hash_is_public\":{(hashIsPublic ? "true" : "false")},\"outlets\":[{string.Join(",", outlets)}]}}}}");

    /// <summary>The variant name (<c>Private</c>, <c>Public</c>, <c>Hashed</c>...).</summary>
    public string Kind { get; }

    /// <summary>Whether the values appear as public instances of the proof.</summary>
    public bool IsPublic => Kind == "Public";

    /// <summary>Whether the values are Poseidon-hashed.</summary>
    public bool IsHashed => Kind == "Hashed";

    /// <summary>Whether the values are fixed columns of the circuit.</summary>
    public bool IsFixed => Kind == "Fixed";

    /// <summary>Whether the values are KZG-committed.</summary>
    public bool IsKzgCommit => Kind == "KZGCommit";

    /// <summary>For hashed values: whether the Poseidon hash is a public instance.</summary>
    public bool HashIsPublic => IsHashed && HashedOptions().GetProperty("hash_is_public").GetBoolean();

    /// <summary>For hashed values, the hashed outlets (ezkl fills them in); empty otherwise.</summary>
    internal IReadOnlyList<ulong> Outlets => IsHashed && HashedOptions().TryGetProperty("outlets", out var o)
        ? o.EnumerateArray().Select(x => x.GetUInt64()).ToArray()
        : [];

    /// <summary>The variant index of ezkl's <c>Visibility</c> enum in bincode (declaration order).</summary>
    /// <exception cref="CompiledCircuitFormatException">The visibility is a form ezkl 21 does not know.</exception>
    internal uint BincodeIndex => Kind switch
    {
        "Private" => 0,
        "Public" => 1,
        "Hashed" => 2,
        "KZGCommit" => 3,
        "Fixed" => 4,
        _ => throw new CompiledCircuitFormatException($"visibility {Kind} is not one of ezkl 21's"),
    };

    private JsonElement HashedOptions()
    {
        using var doc = JsonDocument.Parse(_json);
        return doc.RootElement.GetProperty("Hashed").Clone();
    }

    /// <summary>The JSON form as ezkl writes it.</summary>
    public string ToJson() => _json;

    internal static Visibility FromJson(JsonElement element)
    {
        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString() switch
            {
                "Private" => Private,
                "Public" => Public,
                "Fixed" => Fixed,
                "KZGCommit" => KzgCommit,
                var other => new Visibility(other!, element.GetRawText()),
            },
            JsonValueKind.Object when element.EnumerateObject().Any() =>
                new Visibility(element.EnumerateObject().First().Name, JsonSerializer.Serialize(element)),
            _ => throw new JsonException($"a visibility must be a string or a one-member object, found {element.ValueKind}"),
        };
    }

    /// <inheritdoc />
    public bool Equals(Visibility? other) => other is not null && other._json == _json;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as Visibility);

    /// <inheritdoc />
    public override int GetHashCode() => _json.GetHashCode(StringComparison.Ordinal);

    /// <inheritdoc />
    public override string ToString() => Kind;
}

internal sealed class IntRangeJsonConverter : JsonConverter<IntRange>
{
    public override IntRange Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("a range must be written as [min, max]");
        }

        reader.Read();
        var min = reader.GetInt64();
        reader.Read();
        var max = reader.GetInt64();
        reader.Read();
        if (reader.TokenType != JsonTokenType.EndArray)
        {
            throw new JsonException("a range must have exactly two elements");
        }

        return new IntRange(min, max);
    }

    public override void Write(Utf8JsonWriter writer, IntRange value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(value.Min);
        writer.WriteNumberValue(value.Max);
        writer.WriteEndArray();
    }
}

internal sealed class CircuitVariableJsonConverter : JsonConverter<CircuitVariable>
{
    public override CircuitVariable Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("a variable must be written as [\"name\", value]");
        }

        reader.Read();
        var name = reader.GetString() ?? throw new JsonException("a variable's name must be a string");
        reader.Read();
        var value = reader.GetInt64();
        reader.Read();
        if (reader.TokenType != JsonTokenType.EndArray)
        {
            throw new JsonException("a variable must have exactly two elements");
        }

        return new CircuitVariable(name, value);
    }

    public override void Write(Utf8JsonWriter writer, CircuitVariable value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteStringValue(value.Name);
        writer.WriteNumberValue(value.Value);
        writer.WriteEndArray();
    }
}

internal sealed class VisibilityJsonConverter : JsonConverter<Visibility>
{
    public override Visibility Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        return Visibility.FromJson(doc.RootElement);
    }

    public override void Write(Utf8JsonWriter writer, Visibility value, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.Parse(value.ToJson());
        doc.RootElement.WriteTo(writer);
    }
}
