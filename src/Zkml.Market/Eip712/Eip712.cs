using System.Numerics;
using Nethereum.ABI.EIP712;

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
/// EIP-712 hashing of typed structured data, by Nethereum's <see cref="Eip712TypedDataEncoder"/>: the domain separator,
/// <c>hashStruct</c> of a message and the digest <c>keccak256(0x19 0x01 || domainSeparator || hashStruct(message))</c>
/// that is signed. Struct values are dictionaries from member name to value (integers, <see cref="EthereumAddress"/>,
/// bool, byte[], string, nested dictionaries, lists).
/// </summary>
public static class Eip712
{
    /// <summary>The domain separator: hashStruct of the EIP712Domain with the members the domain sets.</summary>
    public static byte[] HashDomain(Eip712Domain domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return Eip712TypedDataEncoder.Current.HashDomainSeparator(ToRaw(domain, "EIP712Domain", new Dictionary<string, IReadOnlyList<TypedDataField>>(), null));
    }

    /// <summary>hashStruct of a message of type <paramref name="primaryType"/>.</summary>
    /// <exception cref="EthereumFormatException">A type is unknown or a value does not fit its type.</exception>
    public static byte[] HashStruct(
        string primaryType, IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> types, IReadOnlyDictionary<string, object?> message) =>
        Encode(() => Eip712TypedDataEncoder.Current.CalculateTypedDataHashes(ToRaw(new Eip712Domain(), primaryType, types, message)).MessageHash);

    /// <summary>The digest to sign: keccak256(0x1901 || domainSeparator || hashStruct(message)).</summary>
    /// <exception cref="EthereumFormatException">A type is unknown or a value does not fit its type.</exception>
    public static byte[] Digest(
        Eip712Domain domain,
        string primaryType,
        IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> types,
        IReadOnlyDictionary<string, object?> message)
    {
        ArgumentNullException.ThrowIfNull(domain);
        return Encode(() => Keccak256.Hash(Eip712TypedDataEncoder.Current.EncodeTypedDataRaw(ToRaw(domain, primaryType, types, message))));
    }

    private static byte[] Encode(Func<byte[]> encode)
    {
        try
        {
            return encode();
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or FormatException or KeyNotFoundException or NotSupportedException or OverflowException)
        {
            throw new EthereumFormatException("The typed data does not encode: " + e.Message, e);
        }
    }

    private static TypedDataRaw ToRaw(
        Eip712Domain domain, string primaryType, IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> types, IReadOnlyDictionary<string, object?>? message)
    {
        ArgumentNullException.ThrowIfNull(primaryType);
        ArgumentNullException.ThrowIfNull(types);
        var domainFields = new List<TypedDataField>();
        var domainValues = new Dictionary<string, object?>();
        void Add(string name, string type, object? value)
        {
            if (value is not null)
            {
                domainFields.Add(new TypedDataField(name, type));
                domainValues[name] = value;
            }
        }

        Add("name", "string", domain.Name);
        Add("version", "string", domain.Version);
        Add("chainId", "uint256", domain.ChainId);
        Add("verifyingContract", "address", domain.VerifyingContract);
        Add("salt", "bytes32", domain.Salt);
        var all = types.ToDictionary(t => t.Key, t => t.Value);
        all["EIP712Domain"] = domainFields;
        return new TypedDataRaw
        {
            PrimaryType = primaryType,
            Types = all.ToDictionary(t => t.Key, t => t.Value.Select(f => new MemberDescription { Name = f.Name, Type = f.Type }).ToArray()),
            DomainRawValues = Values(all, domainFields, domainValues),
            Message = message is null ? [] : Values(all, all.TryGetValue(primaryType, out var fields) ? fields : throw new EthereumFormatException($"Unknown type {primaryType}."), message),
        };
    }

    private static MemberValue[] Values(
        IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> types, IReadOnlyList<TypedDataField> fields, IReadOnlyDictionary<string, object?> values) =>
        fields.Select(f => new MemberValue
        {
            TypeName = f.Type,
            Value = Value(types, f.Type, values.TryGetValue(f.Name, out var v) ? v : throw new EthereumFormatException($"No value for '{f.Name}'.")),
        }).ToArray();

    private static object? Value(IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> types, string type, object? value)
    {
        if (type.EndsWith(']'))
        {
            var element = type[..type.LastIndexOf('[')];
            return value is System.Collections.IEnumerable items and not string and not byte[]
                ? items.Cast<object?>().Select(i => Value(types, element, i)).ToList()
                : throw new EthereumFormatException($"A {type} value must be a list.");
        }

        if (types.TryGetValue(type, out var fields))
        {
            return value is IReadOnlyDictionary<string, object?> members
                ? Values(types, fields, members)
                : throw new EthereumFormatException($"A {type} value must be a dictionary of its members.");
        }

        return value switch
        {
            EthereumAddress address => address.ToString(),
            int i => new BigInteger(i),
            long l => new BigInteger(l),
            _ => value,
        };
    }
}
