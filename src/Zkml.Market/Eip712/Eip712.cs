using System.Collections;
using System.Numerics;
using System.Text;
using Zkml.Market.Abi;

namespace Zkml.Market;

/// <summary>One member of an EIP-712 struct type.</summary>
/// <param name="Name">The member name.</param>
/// <param name="Type">Its type: an ABI atomic type, <c>string</c>, <c>bytes</c>, a struct name, or an array of those.</param>
public sealed record TypedDataField(string Name, string Type);

/// <summary>The EIP-712 domain; members left null are not part of the domain type.</summary>
/// <param name="Name">The signing domain's name.</param>
/// <param name="Version">Its version.</param>
/// <param name="ChainId">The chain id.</param>
/// <param name="VerifyingContract">The contract that verifies the signatures.</param>
/// <param name="Salt">A 32-byte salt.</param>
public sealed record Eip712Domain(
    string? Name = null,
    string? Version = null,
    BigInteger? ChainId = null,
    EthereumAddress? VerifyingContract = null,
    byte[]? Salt = null);

/// <summary>
/// EIP-712 hashing of typed structured data: <c>encodeType</c>, <c>hashStruct</c>, the domain separator and the
/// digest <c>keccak256(0x19 0x01 || domainSeparator || hashStruct(message))</c> that is signed. Struct values are
/// dictionaries from member name to value (integers, <see cref="EthereumAddress"/>, bool, byte[], string, nested
/// dictionaries, lists).
/// </summary>
public static class Eip712
{
    /// <summary>The domain separator: hashStruct of the EIP712Domain with the members the domain sets.</summary>
    public static byte[] HashDomain(Eip712Domain domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var fields = new List<TypedDataField>();
        var values = new Dictionary<string, object?>();
        void Add(string name, string type, object? value)
        {
            if (value is not null)
            {
                fields.Add(new TypedDataField(name, type));
                values[name] = value;
            }
        }

        Add("name", "string", domain.Name);
        Add("version", "string", domain.Version);
        Add("chainId", "uint256", domain.ChainId);
        Add("verifyingContract", "address", domain.VerifyingContract);
        Add("salt", "bytes32", domain.Salt);
        var types = new Dictionary<string, IReadOnlyList<TypedDataField>> { ["EIP712Domain"] = fields };
        return HashStruct("EIP712Domain", types, values);
    }

    /// <summary>The digest to sign: keccak256(0x1901 || domainSeparator || hashStruct(message)).</summary>
    public static byte[] Digest(
        Eip712Domain domain,
        string primaryType,
        IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> types,
        IReadOnlyDictionary<string, object?> message) =>
        Digest(HashDomain(domain), HashStruct(primaryType, types, message));

    /// <summary>The digest to sign from an already computed domain separator and struct hash.</summary>
    public static byte[] Digest(ReadOnlySpan<byte> domainSeparator, ReadOnlySpan<byte> structHash) =>
        Keccak256.Hash([0x19, 0x01, .. domainSeparator, .. structHash]);

    /// <summary>encodeType: the primary type followed by the types it references, sorted by name.</summary>
    public static string EncodeType(string primaryType, IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> types)
    {
        ArgumentNullException.ThrowIfNull(types);
        var dependencies = new SortedSet<string>(StringComparer.Ordinal);
        CollectDependencies(primaryType, types, dependencies);
        dependencies.Remove(primaryType);
        var builder = new StringBuilder();
        foreach (var type in new[] { primaryType }.Concat(dependencies))
        {
            builder.Append(type).Append('(')
                .AppendJoin(',', types[type].Select(f => f.Type + " " + f.Name))
                .Append(')');
        }

        return builder.ToString();
    }

    /// <summary>hashStruct(s) = keccak256(typeHash || encodeData(s)).</summary>
    /// <exception cref="EthereumFormatException">A member is missing or does not fit its type.</exception>
    public static byte[] HashStruct(
        string primaryType,
        IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> types,
        IReadOnlyDictionary<string, object?> data)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(data);
        if (!types.TryGetValue(primaryType, out var fields))
        {
            throw new EthereumFormatException($"EIP-712 type '{primaryType}' is not defined.");
        }

        var encoded = new List<byte[]> { Keccak256.Hash(EncodeType(primaryType, types)) };
        foreach (var field in fields)
        {
            if (!data.TryGetValue(field.Name, out var value))
            {
                throw new EthereumFormatException($"EIP-712 value of {primaryType} lacks member '{field.Name}'.");
            }

            encoded.Add(EncodeValue(field.Type, value, types));
        }

        return Keccak256.Hash(Bytes.Concat(encoded));
    }

    private static byte[] EncodeValue(string type, object? value, IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> types)
    {
        if (type.EndsWith(']'))
        {
            var element = type[..type.LastIndexOf('[')];
            if (value is not IList list)
            {
                throw new EthereumFormatException($"EIP-712 {type} needs a list.");
            }

            return Keccak256.Hash(Bytes.Concat(list.Cast<object?>().Select(item => EncodeValue(element, item, types))));
        }

        if (types.ContainsKey(type))
        {
            return value is IReadOnlyDictionary<string, object?> nested
                ? HashStruct(type, types, nested)
                : throw new EthereumFormatException($"EIP-712 member of type {type} needs a dictionary.");
        }

        return type switch
        {
            "string" => Keccak256.Hash(value as string ?? throw new EthereumFormatException("EIP-712 string member needs a string.")),
            "bytes" => Keccak256.Hash(value as byte[] ?? throw new EthereumFormatException("EIP-712 bytes member needs bytes.")),
            _ => AbiType.Parse(type).Encode(value),
        };
    }

    private static void CollectDependencies(
        string type, IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> types, SortedSet<string> found)
    {
        var bare = type.Contains('[', StringComparison.Ordinal) ? type[..type.IndexOf('[', StringComparison.Ordinal)] : type;
        if (found.Contains(bare) || !types.TryGetValue(bare, out var fields))
        {
            return;
        }

        found.Add(bare);
        foreach (var field in fields)
        {
            CollectDependencies(field.Type, types, found);
        }
    }
}
