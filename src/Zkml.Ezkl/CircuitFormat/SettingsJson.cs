using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;

namespace Zkml.Ezkl.Compilation.Circuit;

/// <summary>
/// settings.json in serde_json's layout of ezkl 21's <c>GraphSettings</c>: snake_case field names
/// in declaration order, unit enum variants as strings, data variants as single-key objects, tuples
/// as arrays. Unknown fields (such as older ezkl's <c>tolerance</c>) are ignored on read.
/// </summary>
internal static class SettingsJson
{
    public static string Write(GraphSettings s)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WritePropertyName("run_args");
            WriteRunArgs(w, s.RunArgs);
            w.WriteNumber("num_rows", s.NumRows);
            w.WriteNumber("total_assignments", s.TotalAssignments);
            w.WriteNumber("total_const_size", s.TotalConstSize);
            w.WriteNumber("total_dynamic_col_size", s.TotalDynamicColSize);
            w.WriteNumber("max_dynamic_input_len", s.MaxDynamicInputLen);
            w.WriteNumber("num_dynamic_lookups", s.NumDynamicLookups);
            w.WriteNumber("num_shuffles", s.NumShuffles);
            w.WriteNumber("total_shuffle_col_size", s.TotalShuffleColSize);
            w.WriteStartArray("model_instance_shapes");
            foreach (var shape in s.ModelInstanceShapes)
            {
                WriteU64Array(w, shape);
            }

            w.WriteEndArray();
            w.WriteStartArray("model_output_scales");
            foreach (var v in s.ModelOutputScales)
            {
                w.WriteNumberValue(v);
            }

            w.WriteEndArray();
            w.WriteStartArray("model_input_scales");
            foreach (var v in s.ModelInputScales)
            {
                w.WriteNumberValue(v);
            }

            w.WriteEndArray();
            w.WriteStartObject("module_sizes");
            w.WritePropertyName("polycommit");
            WriteU64Array(w, s.ModuleSizesPolycommit);
            w.WriteStartArray("poseidon");
            w.WriteNumberValue(s.ModuleSizesPoseidon.Constraints);
            WriteU64Array(w, s.ModuleSizesPoseidon.Instances);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartArray("required_lookups");
            foreach (var op in s.RequiredLookups)
            {
                WriteCircuitOp(w, op);
            }

            w.WriteEndArray();
            w.WriteStartArray("required_range_checks");
            foreach (var (min, max) in s.RequiredRangeChecks)
            {
                w.WriteStartArray();
                w.WriteRawValue(min.ToString(CultureInfo.InvariantCulture));
                w.WriteRawValue(max.ToString(CultureInfo.InvariantCulture));
                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteString("check_mode", CheckModeName(s.CheckMode));
            w.WriteString("version", s.Version);
            WriteOptionalNumber(w, "num_blinding_factors", s.NumBlindingFactors?.ToString(CultureInfo.InvariantCulture));
            WriteOptionalNumber(w, "timestamp", s.Timestamp?.ToString(CultureInfo.InvariantCulture));
            WriteTypes(w, "input_types", s.InputTypes);
            WriteTypes(w, "output_types", s.OutputTypes);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static GraphSettings Read(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            var poseidon = Get(root, "module_sizes").GetProperty("poseidon");
            return new GraphSettings
            {
                RunArgs = ReadRunArgs(Get(root, "run_args")),
                NumRows = U64(root, "num_rows"),
                TotalAssignments = U64(root, "total_assignments"),
                TotalConstSize = U64(root, "total_const_size"),
                TotalDynamicColSize = U64(root, "total_dynamic_col_size"),
                MaxDynamicInputLen = U64(root, "max_dynamic_input_len"),
                NumDynamicLookups = U64(root, "num_dynamic_lookups"),
                NumShuffles = U64(root, "num_shuffles"),
                TotalShuffleColSize = U64(root, "total_shuffle_col_size"),
                ModelInstanceShapes = Get(root, "model_instance_shapes").EnumerateArray().Select(a => a.EnumerateArray().Select(x => x.GetUInt64()).ToArray()).ToList(),
                ModelOutputScales = Get(root, "model_output_scales").EnumerateArray().Select(x => x.GetInt32()).ToList(),
                ModelInputScales = Get(root, "model_input_scales").EnumerateArray().Select(x => x.GetInt32()).ToList(),
                ModuleSizesPolycommit = Get(root, "module_sizes").GetProperty("polycommit").EnumerateArray().Select(x => x.GetUInt64()).ToList(),
                ModuleSizesPoseidon = (poseidon[0].GetUInt64(), poseidon[1].EnumerateArray().Select(x => x.GetUInt64()).ToList()),
                RequiredLookups = Get(root, "required_lookups").EnumerateArray().Select(x => ReadCircuitOp(x, OpFamily.Lookup)).ToList(),
                RequiredRangeChecks = Get(root, "required_range_checks").EnumerateArray().Select(x => (I128(x[0]), I128(x[1]))).ToList(),
                CheckMode = ParseCheckMode(Get(root, "check_mode").GetString()),
                Version = root.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "0.0.0",
                NumBlindingFactors = Optional(root, "num_blinding_factors") is { } nbf ? nbf.GetUInt64() : null,
                Timestamp = Optional(root, "timestamp") is { } ts ? UInt128.Parse(ts.GetRawText(), CultureInfo.InvariantCulture) : null,
                InputTypes = Optional(root, "input_types") is { } it ? it.EnumerateArray().Select(x => Enum.Parse<InputType>(x.GetString()!)).ToList() : null,
                OutputTypes = Optional(root, "output_types") is { } ot ? ot.EnumerateArray().Select(x => Enum.Parse<InputType>(x.GetString()!)).ToList() : null,
            };
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or ArgumentException or OverflowException or IndexOutOfRangeException)
        {
            throw new CompiledCircuitFormatException("settings.json is not ezkl 21 GraphSettings: " + ex.Message, ex);
        }
    }

    // ---------------------------------------------------------------- run args

    private static void WriteRunArgs(Utf8JsonWriter w, CircuitRunArgs a)
    {
        w.WriteStartObject();
        w.WriteNumber("input_scale", a.InputScale);
        w.WriteNumber("param_scale", a.ParamScale);
        w.WriteNumber("scale_rebase_multiplier", a.ScaleRebaseMultiplier);
        w.WriteStartArray("lookup_range");
        w.WriteRawValue(a.LookupRange.Min.ToString(CultureInfo.InvariantCulture));
        w.WriteRawValue(a.LookupRange.Max.ToString(CultureInfo.InvariantCulture));
        w.WriteEndArray();
        w.WriteNumber("logrows", a.Logrows);
        w.WriteNumber("num_inner_cols", a.NumInnerCols);
        w.WriteStartArray("variables");
        foreach (var (name, value) in a.Variables)
        {
            w.WriteStartArray();
            w.WriteStringValue(name);
            w.WriteNumberValue(value);
            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WritePropertyName("input_visibility");
        WriteVisibility(w, a.InputVisibility);
        w.WritePropertyName("output_visibility");
        WriteVisibility(w, a.OutputVisibility);
        w.WritePropertyName("param_visibility");
        WriteVisibility(w, a.ParamVisibility);
        w.WriteBoolean("rebase_frac_zero_constants", a.RebaseFracZeroConstants);
        w.WriteString("check_mode", CheckModeName(a.CheckMode));
        if (a.Commitment is { } c)
        {
            w.WriteString("commitment", c == CommitmentScheme.Kzg ? "KZG" : "IPA");
        }
        else
        {
            w.WriteNull("commitment");
        }

        w.WriteNumber("decomp_base", a.DecompBase);
        w.WriteNumber("decomp_legs", a.DecompLegs);
        w.WriteBoolean("bounded_log_lookup", a.BoundedLogLookup);
        w.WriteBoolean("ignore_range_check_inputs_outputs", a.IgnoreRangeCheckInputsOutputs);
        w.WriteEndObject();
    }

    private static CircuitRunArgs ReadRunArgs(JsonElement e)
    {
        var defaults = new CircuitRunArgs();
        var range = Get(e, "lookup_range");
        return new CircuitRunArgs
        {
            InputScale = Get(e, "input_scale").GetInt32(),
            ParamScale = Get(e, "param_scale").GetInt32(),
            ScaleRebaseMultiplier = Get(e, "scale_rebase_multiplier").GetUInt32(),
            LookupRange = (I128(range[0]), I128(range[1])),
            Logrows = Get(e, "logrows").GetUInt32(),
            NumInnerCols = Get(e, "num_inner_cols").GetUInt64(),
            Variables = Get(e, "variables").EnumerateArray().Select(x => (x[0].GetString()!, x[1].GetUInt64())).ToList(),
            InputVisibility = ReadVisibility(Get(e, "input_visibility")),
            OutputVisibility = ReadVisibility(Get(e, "output_visibility")),
            ParamVisibility = ReadVisibility(Get(e, "param_visibility")),
            RebaseFracZeroConstants = Optional(e, "rebase_frac_zero_constants")?.GetBoolean() ?? false,
            CheckMode = Optional(e, "check_mode") is { } cm ? ParseCheckMode(cm.GetString()) : CircuitCheckMode.Unsafe,
            Commitment = Optional(e, "commitment") is { } c ? (c.GetString() == "IPA" ? CommitmentScheme.Ipa : CommitmentScheme.Kzg) : null,
            DecompBase = Optional(e, "decomp_base")?.GetUInt64() ?? defaults.DecompBase,
            DecompLegs = Optional(e, "decomp_legs")?.GetUInt64() ?? defaults.DecompLegs,
            BoundedLogLookup = Optional(e, "bounded_log_lookup")?.GetBoolean() ?? false,
            IgnoreRangeCheckInputsOutputs = Optional(e, "ignore_range_check_inputs_outputs")?.GetBoolean() ?? false,
        };
    }

    // ---------------------------------------------------------------- pieces

    private static void WriteVisibility(Utf8JsonWriter w, CircuitVisibility v)
    {
        switch (v.Kind)
        {
            case CircuitVisibilityKind.Hashed:
                w.WriteStartObject();
                w.WriteStartObject("Hashed");
                w.WriteBoolean("hash_is_public", v.HashIsPublic);
                w.WritePropertyName("outlets");
                WriteU64Array(w, v.Outlets);
                w.WriteEndObject();
                w.WriteEndObject();
                break;
            case CircuitVisibilityKind.KzgCommit:
                w.WriteStringValue("KZGCommit");
                break;
            default:
                w.WriteStringValue(v.Kind.ToString());
                break;
        }
    }

    private static CircuitVisibility ReadVisibility(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.String)
        {
            return e.GetString() switch
            {
                "Private" => CircuitVisibility.Private,
                "Public" => CircuitVisibility.Public,
                "Fixed" => CircuitVisibility.Fixed,
                "KZGCommit" => CircuitVisibility.KzgCommit,
                var other => throw new FormatException($"unknown visibility {other}"),
            };
        }

        var hashed = e.GetProperty("Hashed");
        return CircuitVisibility.Hashed(hashed.GetProperty("hash_is_public").GetBoolean(), hashed.GetProperty("outlets").EnumerateArray().Select(x => x.GetUInt64()).ToList());
    }

    /// <summary>serde's externally tagged enum form: "Name" for unit variants, {"Name": value} for
    /// newtypes and {"Name": {fields}} otherwise.</summary>
    public static void WriteCircuitOp(Utf8JsonWriter w, CircuitOp op)
    {
        if (op.Values.Count == 0)
        {
            w.WriteStringValue(op.Name);
            return;
        }

        w.WriteStartObject();
        w.WritePropertyName(op.Name);
        if (op.Variant.IsNewtype)
        {
            WriteFieldValue(w, op.Variant.Fields[0].Kind, op.Values[0]);
        }
        else
        {
            w.WriteStartObject();
            for (var i = 0; i < op.Values.Count; i++)
            {
                w.WritePropertyName(op.Variant.Fields[i].Name!);
                WriteFieldValue(w, op.Variant.Fields[i].Kind, op.Values[i]);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteFieldValue(Utf8JsonWriter w, OpFieldKind kind, object? value)
    {
        switch (kind)
        {
            case OpFieldKind.F32:
                w.WriteRawValue(FormatF32((float)value!));
                break;
            case OpFieldKind.I32: w.WriteNumberValue((int)value!); break;
            case OpFieldKind.U32: w.WriteNumberValue((uint)value!); break;
            case OpFieldKind.U64: w.WriteNumberValue((ulong)value!); break;
            case OpFieldKind.I64: w.WriteNumberValue((long)value!); break;
            case OpFieldKind.Bool: w.WriteBooleanValue((bool)value!); break;
            case OpFieldKind.Str: w.WriteStringValue((string)value!); break;
            case OpFieldKind.UsizeList: WriteU64Array(w, (ulong[])value!); break;
            default: throw new NotSupportedException($"JSON for {kind} fields is not needed by settings");
        }
    }

    private static CircuitOp ReadCircuitOp(JsonElement e, OpFamily family)
    {
        if (e.ValueKind == JsonValueKind.String)
        {
            return new CircuitOp(OpSchema.Find(family, e.GetString()!));
        }

        var property = e.EnumerateObject().Single();
        var variant = OpSchema.Find(family, property.Name);
        if (variant.IsNewtype)
        {
            return new CircuitOp(variant, ReadFieldValue(property.Value, variant.Fields[0].Kind));
        }

        var values = variant.Fields.Select(f => ReadFieldValue(property.Value.GetProperty(f.Name!), f.Kind)).ToArray();
        return new CircuitOp(variant, values);
    }

    private static object? ReadFieldValue(JsonElement e, OpFieldKind kind) => kind switch
    {
        OpFieldKind.F32 => e.GetSingle(),
        OpFieldKind.I32 => e.GetInt32(),
        OpFieldKind.U32 => e.GetUInt32(),
        OpFieldKind.U64 => e.GetUInt64(),
        OpFieldKind.I64 => e.GetInt64(),
        OpFieldKind.Bool => e.GetBoolean(),
        OpFieldKind.Str => e.GetString(),
        OpFieldKind.UsizeList => e.EnumerateArray().Select(x => x.GetUInt64()).ToArray(),
        _ => throw new NotSupportedException($"JSON for {kind} fields is not needed by settings"),
    };

    /// <summary>Like serde_json (ryu): the shortest round-tripping form, with ".0" on integral values.</summary>
    internal static string FormatF32(float value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') || text.Contains('N') || text.Contains('I') ? text : text + ".0";
    }

    private static void WriteTypes(Utf8JsonWriter w, string name, IReadOnlyList<InputType>? types)
    {
        if (types is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartArray(name);
        foreach (var t in types)
        {
            w.WriteStringValue(t.ToString());
        }

        w.WriteEndArray();
    }

    private static void WriteOptionalNumber(Utf8JsonWriter w, string name, string? raw)
    {
        w.WritePropertyName(name);
        if (raw is null)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteRawValue(raw);
        }
    }

    private static void WriteU64Array(Utf8JsonWriter w, IEnumerable<ulong> values)
    {
        w.WriteStartArray();
        foreach (var v in values)
        {
            w.WriteNumberValue(v);
        }

        w.WriteEndArray();
    }

    private static string CheckModeName(CircuitCheckMode mode) => mode == CircuitCheckMode.Safe ? "SAFE" : "UNSAFE";

    private static CircuitCheckMode ParseCheckMode(string? text) => text == "SAFE" ? CircuitCheckMode.Safe : CircuitCheckMode.Unsafe;

    private static JsonElement Get(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) ? v : throw new KeyNotFoundException($"missing field '{name}'");

    private static JsonElement? Optional(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    private static ulong U64(JsonElement e, string name) => Get(e, name).GetUInt64();

    private static Int128 I128(JsonElement e) => Int128.Parse(e.GetRawText(), NumberStyles.Integer, CultureInfo.InvariantCulture);

    internal static BigInteger ParseBig(JsonElement e) => BigInteger.Parse(e.GetRawText(), CultureInfo.InvariantCulture);
}
