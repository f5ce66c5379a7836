using System.Numerics;
using System.Text.Json;

namespace Zkml.Market.Abi;

/// <summary>One parameter of a function, event or error.</summary>
internal sealed record AbiParameter(string Name, AbiType Type, bool Indexed);

/// <summary>A function, event or error from a contract ABI.</summary>
internal sealed record AbiMember(string Kind, string Name, IReadOnlyList<AbiParameter> Inputs, IReadOnlyList<AbiParameter> Outputs)
{
    public string Signature { get; } = Name + "(" + string.Join(",", Inputs.Select(p => p.Type.Name)) + ")";

    public byte[] Selector => Keccak256.Hash(Signature)[..4];

    public byte[] Topic => Keccak256.Hash(Signature);

    public byte[] EncodeCall(params object?[] arguments) =>
        [.. Selector, .. AbiType.EncodeParameters(Inputs.Select(p => p.Type).ToArray(), arguments)];

    public object?[] DecodeOutput(ReadOnlySpan<byte> data) =>
        AbiType.DecodeParameters(Outputs.Select(p => p.Type).ToArray(), data);
}

/// <summary>A contract's ABI (parsed from solc's JSON) and, when compiled here, its creation bytecode.</summary>
internal sealed class ContractAbi
{
    private static readonly AbiMember s_errorString =
        new("error", "Error", [new AbiParameter("message", AbiType.Parse("string"), false)], []);

    private static readonly AbiMember s_panic =
        new("error", "Panic", [new AbiParameter("code", AbiType.Parse("uint256"), false)], []);

    private readonly Dictionary<string, AbiMember> _functions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AbiMember> _eventsByTopic = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AbiMember> _errorsBySelector = new(StringComparer.Ordinal);

    private ContractAbi(string name, byte[] bytecode, IEnumerable<AbiMember> members)
    {
        Name = name;
        Bytecode = bytecode;
        foreach (var member in members)
        {
            switch (member.Kind)
            {
                case "function":
                    _functions[member.Name] = member; // the contracts here do not overload
                    break;
                case "event":
                    _eventsByTopic[Convert.ToHexStringLower(member.Topic)] = member;
                    break;
                case "error":
                    _errorsBySelector[Convert.ToHexStringLower(member.Selector)] = member;
                    break;
            }
        }

        foreach (var builtin in new[] { s_errorString, s_panic })
        {
            _errorsBySelector.TryAdd(Convert.ToHexStringLower(builtin.Selector), builtin);
        }
    }

    public string Name { get; }

    public byte[] Bytecode { get; }

    public IEnumerable<AbiMember> Events => _eventsByTopic.Values;

    public AbiMember Function(string name) =>
        _functions.TryGetValue(name, out var f) ? f : throw new KeyNotFoundException($"{Name} has no function {name}.");

    public AbiMember Event(string name) =>
        _eventsByTopic.Values.FirstOrDefault(e => e.Name == name) ?? throw new KeyNotFoundException($"{Name} has no event {name}.");

    public AbiMember? EventByTopic(ReadOnlySpan<byte> topic0) =>
        _eventsByTopic.GetValueOrDefault(Convert.ToHexStringLower(topic0));

    /// <summary>Decodes revert data with this ABI's errors (and Error/Panic); null when the selector is unknown.</summary>
    public DecodedError? DecodeError(ReadOnlySpan<byte> revertData)
    {
        if (revertData.Length < 4 || !_errorsBySelector.TryGetValue(Convert.ToHexStringLower(revertData[..4]), out var error))
        {
            return null;
        }

        try
        {
            var values = AbiType.DecodeParameters(error.Inputs.Select(p => p.Type).ToArray(), revertData[4..]);
            return new DecodedError(
                error.Name,
                error.Signature,
                error.Inputs.Select((p, i) => new KeyValuePair<string, object?>(p.Name, values[i])).ToArray());
        }
        catch (EthereumFormatException)
        {
            return null;
        }
    }

    /// <summary>Decodes a log's topics and data into the event's arguments by name.</summary>
    public IReadOnlyDictionary<string, object?> DecodeLog(AbiMember evt, IReadOnlyList<byte[]> topics, ReadOnlySpan<byte> data)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        var indexed = evt.Inputs.Where(p => p.Indexed).ToArray();
        if (topics.Count != indexed.Length + 1)
        {
            throw new EthereumFormatException($"{evt.Signature} has {indexed.Length} indexed parameters, the log {topics.Count - 1} topics.");
        }

        for (var i = 0; i < indexed.Length; i++)
        {
            // Indexed dynamic values are stored as their keccak256; value types decode from their word.
            result[indexed[i].Name] = indexed[i].Type.IsDynamic ? topics[i + 1] : indexed[i].Type.Decode(topics[i + 1], 0);
        }

        var plain = evt.Inputs.Where(p => !p.Indexed).ToArray();
        var values = AbiType.DecodeParameters(plain.Select(p => p.Type).ToArray(), data);
        for (var i = 0; i < plain.Length; i++)
        {
            result[plain[i].Name] = values[i];
        }

        return result;
    }

    /// <summary>Parses a compiled artifact: <c>{ "contractName", "abi": [...], "bytecode": "0x..." }</c>.</summary>
    public static ContractAbi FromArtifact(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var name = root.GetProperty("contractName").GetString() ?? "contract";
        var bytecode = root.TryGetProperty("bytecode", out var code) ? HexConverter.FromHex(code.GetString() ?? "0x") : [];
        var members = root.GetProperty("abi").EnumerateArray()
            .Where(m => m.GetProperty("type").GetString() is "function" or "event" or "error")
            .Select(m => new AbiMember(
                m.GetProperty("type").GetString()!,
                m.GetProperty("name").GetString()!,
                Parameters(m, "inputs"),
                Parameters(m, "outputs")))
            .ToArray();
        return new ContractAbi(name, bytecode, members);
    }

    /// <summary>Loads an artifact embedded in an assembly under <paramref name="resourceName"/>.</summary>
    public static ContractAbi FromResource(System.Reflection.Assembly assembly, string resourceName)
    {
        using var stream = assembly.GetManifestResourceStream(resourceName)
            ?? throw new MarketException($"Contract artifact {resourceName} is not embedded in {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return FromArtifact(reader.ReadToEnd());
    }

    private static AbiParameter[] Parameters(JsonElement member, string property) =>
        member.TryGetProperty(property, out var list)
            ? list.EnumerateArray()
                .Select(p => new AbiParameter(
                    p.GetProperty("name").GetString() ?? "",
                    AbiType.Parse(TypeName(p)),
                    p.TryGetProperty("indexed", out var ix) && ix.GetBoolean()))
                .ToArray()
            : [];

    /// <summary>The canonical type of a JSON ABI parameter, expanding "tuple" into its components.</summary>
    private static string TypeName(JsonElement parameter)
    {
        var type = parameter.GetProperty("type").GetString()!;
        if (!type.StartsWith("tuple", StringComparison.Ordinal))
        {
            return type;
        }

        var components = parameter.GetProperty("components").EnumerateArray().Select(TypeName);
        return "(" + string.Join(",", components) + ")" + type["tuple".Length..];
    }
}

/// <summary>Conversions of decoded ABI values to the .NET types callers want.</summary>
internal static class AbiValue
{
    public static BigInteger Integer(object? value) => value is BigInteger b ? b : throw Bad("an integer", value);

    public static EthereumAddress Address(object? value) => value is EthereumAddress a ? a : throw Bad("an address", value);

    public static byte[] Bytes(object? value) => value is byte[] b ? b : throw Bad("bytes", value);

    public static string String(object? value) => value is string s ? s : throw Bad("a string", value);

    public static bool Bool(object? value) => value is bool b ? b : throw Bad("a bool", value);

    public static object?[] List(object? value) => value is object?[] l ? l : throw Bad("a list", value);

    private static EthereumFormatException Bad(string expected, object? value) =>
        new($"Expected {expected} in ABI data, got {value?.GetType().Name ?? "null"}.");
}
