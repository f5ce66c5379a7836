using System.Globalization;
using System.Text.Json.Nodes;

namespace Zkml.Ezkl.Compilation.Circuit;

/// <summary>
/// The settings.json form of the ops in <c>required_lookups</c>: serde's externally tagged enum form, "Name" for
/// unit variants, {"Name": value} for newtypes and {"Name": {fields}} otherwise. The bincode codec reads and writes
/// the same ops from <see cref="CircuitSettings.RequiredLookups"/> through this.
/// </summary>
internal static class LookupOpJson
{
    public static JsonNode ToJson(CircuitOp op)
    {
        if (op.Values.Count == 0)
        {
            return JsonValue.Create(op.Name);
        }

        JsonNode body;
        if (op.Variant.IsNewtype)
        {
            body = FieldToJson(op.Variant.Fields[0].Kind, op.Values[0]);
        }
        else
        {
            var fields = new JsonObject();
            for (var i = 0; i < op.Values.Count; i++)
            {
                fields[op.Variant.Fields[i].Name!] = FieldToJson(op.Variant.Fields[i].Kind, op.Values[i]);
            }

            body = fields;
        }

        return new JsonObject { [op.Name] = body };
    }

    /// <exception cref="CompiledCircuitFormatException">The node is not a lookup op ezkl 21 knows.</exception>
    public static CircuitOp FromJson(JsonNode? node)
    {
        try
        {
            if (node is JsonValue value)
            {
                return new CircuitOp(OpSchema.Find(OpFamily.Lookup, value.GetValue<string>()));
            }

            var property = node!.AsObject().Single();
            var variant = OpSchema.Find(OpFamily.Lookup, property.Key);
            if (variant.IsNewtype)
            {
                return new CircuitOp(variant, FieldFromJson(property.Value!, variant.Fields[0].Kind));
            }

            var values = variant.Fields.Select(f => FieldFromJson(property.Value![f.Name!]!, f.Kind)).ToArray();
            return new CircuitOp(variant, values);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or NullReferenceException or KeyNotFoundException or ArgumentException)
        {
            throw new CompiledCircuitFormatException($"required lookup {node?.ToJsonString()} is not an ezkl 21 lookup op: {ex.Message}", ex);
        }
    }

    /// <summary>Like serde_json (ryu): the shortest round-tripping form, with ".0" on integral values.</summary>
    internal static string FormatF32(float value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') || text.Contains('N') || text.Contains('I') ? text : text + ".0";
    }

    private static JsonNode FieldToJson(OpFieldKind kind, object? value) => kind switch
    {
        OpFieldKind.F32 => JsonNode.Parse(FormatF32((float)value!))!,
        OpFieldKind.I32 => JsonValue.Create((int)value!),
        OpFieldKind.U32 => JsonValue.Create((uint)value!),
        OpFieldKind.U64 => JsonValue.Create((ulong)value!),
        OpFieldKind.I64 => JsonValue.Create((long)value!),
        OpFieldKind.Bool => JsonValue.Create((bool)value!),
        OpFieldKind.Str => JsonValue.Create((string)value!),
        OpFieldKind.UsizeList => new JsonArray(((ulong[])value!).Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
        _ => throw new NotSupportedException($"JSON for {kind} fields is not needed by settings"),
    };

    private static object? FieldFromJson(JsonNode e, OpFieldKind kind) => kind switch
    {
        OpFieldKind.F32 => e.GetValue<float>(),
        OpFieldKind.I32 => e.GetValue<int>(),
        OpFieldKind.U32 => e.GetValue<uint>(),
        OpFieldKind.U64 => e.GetValue<ulong>(),
        OpFieldKind.I64 => e.GetValue<long>(),
        OpFieldKind.Bool => e.GetValue<bool>(),
        OpFieldKind.Str => e.GetValue<string>(),
        OpFieldKind.UsizeList => e.AsArray().Select(x => x!.GetValue<ulong>()).ToArray(),
        _ => throw new NotSupportedException($"JSON for {kind} fields is not needed by settings"),
    };
}
