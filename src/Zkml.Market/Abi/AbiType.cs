using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace Zkml.Market.Abi;

/// <summary>
/// A Solidity ABI type (uintN, intN, address, bool, bytesN, bytes, string, T[], T[k], tuples) with its encoding and
/// decoding. .NET values: <see cref="BigInteger"/> (or any integer type when encoding) for integers,
/// <see cref="EthereumAddress"/>, <see cref="bool"/>, <see cref="byte"/>[] for bytes and bytesN, <see cref="string"/>,
/// <c>object?[]</c> for arrays and tuples (any <see cref="IList"/> when encoding).
/// </summary>
internal abstract class AbiType
{
    /// <summary>The canonical name used in signatures, e.g. <c>uint256[]</c> or <c>(bytes32,address)</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Whether the encoding has a dynamic size (then it lives in the tail, behind an offset).</summary>
    public abstract bool IsDynamic { get; }

    /// <summary>Size of the head of a static type (32 for words, more for static tuples and fixed arrays).</summary>
    public virtual int StaticSize => 32;

    public abstract byte[] Encode(object? value);

    /// <summary>Decodes a value whose head starts at <paramref name="offset"/> inside <paramref name="data"/>.</summary>
    public abstract object? Decode(ReadOnlySpan<byte> data, int offset);

    public override string ToString() => Name;

    /// <summary>Parses a canonical type name.</summary>
    public static AbiType Parse(string type)
    {
        ArgumentNullException.ThrowIfNull(type);
        type = type.Trim();
        if (type.EndsWith(']'))
        {
            var open = type.LastIndexOf('[');
            var element = Parse(type[..open]);
            var size = type[(open + 1)..^1];
            if (size.Length == 0)
            {
                return new ArrayType(element, null);
            }

            return int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var length) && length > 0
                ? new ArrayType(element, length)
                : throw new EthereumFormatException($"Bad array size in ABI type '{type}'.");
        }

        if (type.StartsWith('('))
        {
            return new TupleType(SplitTuple(type).Select(Parse).ToArray());
        }

        return type switch
        {
            "address" => new AddressType(),
            "bool" => new BoolType(),
            "string" => new BytesType(isString: true),
            "bytes" => new BytesType(isString: false),
            "uint" => new IntegerType(256, signed: false),
            "int" => new IntegerType(256, signed: true),
            _ when type.StartsWith("uint", StringComparison.Ordinal) => new IntegerType(Bits(type, 4), signed: false),
            _ when type.StartsWith("int", StringComparison.Ordinal) => new IntegerType(Bits(type, 3), signed: true),
            _ when type.StartsWith("bytes", StringComparison.Ordinal) => new FixedBytesType(FixedLength(type)),
            _ => throw new EthereumFormatException($"Unknown ABI type '{type}'."),
        };
    }

    /// <summary>Encodes values as a tuple of the given types (the form of call arguments and return data).</summary>
    public static byte[] EncodeParameters(IReadOnlyList<AbiType> types, IReadOnlyList<object?> values) =>
        new TupleType(types).Encode(values.ToArray());

    /// <summary>Decodes data as a tuple of the given types.</summary>
    public static object?[] DecodeParameters(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data) =>
        (object?[])new TupleType(types).DecodeTuple(data, 0);

    private static int Bits(string type, int prefix)
    {
        if (int.TryParse(type.AsSpan(prefix), NumberStyles.None, CultureInfo.InvariantCulture, out var bits) &&
            bits is > 0 and <= 256 && bits % 8 == 0)
        {
            return bits;
        }

        throw new EthereumFormatException($"Bad integer width in ABI type '{type}'.");
    }

    private static int FixedLength(string type) =>
        int.TryParse(type.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var length) && length is > 0 and <= 32
            ? length
            : throw new EthereumFormatException($"Bad length in ABI type '{type}'.");

    private static List<string> SplitTuple(string type)
    {
        if (!type.EndsWith(')'))
        {
            throw new EthereumFormatException($"Unbalanced tuple type '{type}'.");
        }

        var parts = new List<string>();
        int depth = 0, start = 1;
        for (var i = 1; i < type.Length - 1; i++)
        {
            switch (type[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    parts.Add(type[start..i]);
                    start = i + 1;
                    break;
            }
        }

        if (type.Length - 1 > start)
        {
            parts.Add(type[start..^1]);
        }

        return parts;
    }

    private protected static byte[] Word(BigInteger value)
    {
        var word = new byte[32];
        if (value.Sign < 0)
        {
            word.AsSpan().Fill(0xff);
        }

        var bytes = value.ToByteArray(isUnsigned: false, isBigEndian: true);
        if (bytes.Length > 32)
        {
            bytes = bytes[^32..]; // only a leading sign byte can be dropped; range checks happen before
        }

        bytes.CopyTo(word, 32 - bytes.Length);
        return word;
    }

    private protected static ReadOnlySpan<byte> WordAt(ReadOnlySpan<byte> data, int offset)
    {
        if (offset < 0 || offset + 32 > data.Length)
        {
            throw new EthereumFormatException($"ABI data ends early: a word at {offset} of {data.Length} bytes.");
        }

        return data.Slice(offset, 32);
    }

    private protected static int ReadLength(ReadOnlySpan<byte> data, int offset)
    {
        var value = HexConverter.FromBigEndian(WordAt(data, offset));
        return value > data.Length
            ? throw new EthereumFormatException($"ABI offset or length {value} is beyond the data ({data.Length} bytes).")
            : (int)value;
    }

    private protected static BigInteger ToBigInteger(object? value) => value switch
    {
        BigInteger b => b,
        int i => i,
        long l => l,
        uint u => u,
        ulong u => u,
        short s => s,
        ushort s => s,
        byte b => b,
        _ => throw new EthereumFormatException($"Expected an integer, got {value?.GetType().Name ?? "null"}."),
    };

    private sealed class IntegerType(int bits, bool signed) : AbiType
    {
        public override string Name => (signed ? "int" : "uint") + bits.ToString(CultureInfo.InvariantCulture);

        public override bool IsDynamic => false;

        public override byte[] Encode(object? value)
        {
            var number = ToBigInteger(value);
            var max = signed ? (BigInteger.One << (bits - 1)) - 1 : (BigInteger.One << bits) - 1;
            var min = signed ? -(BigInteger.One << (bits - 1)) : BigInteger.Zero;
            if (number > max || number < min)
            {
                throw new EthereumFormatException($"{number} does not fit {Name}.");
            }

            return Word(number);
        }

        public override object? Decode(ReadOnlySpan<byte> data, int offset)
        {
            var word = WordAt(data, offset);
            var value = signed
                ? new BigInteger(word, isUnsigned: false, isBigEndian: true)
                : HexConverter.FromBigEndian(word);
            var max = signed ? (BigInteger.One << (bits - 1)) - 1 : (BigInteger.One << bits) - 1;
            var min = signed ? -(BigInteger.One << (bits - 1)) : BigInteger.Zero;
            return value > max || value < min ? throw new EthereumFormatException($"Word does not fit {Name}.") : value;
        }
    }

    private sealed class AddressType : AbiType
    {
        public override string Name => "address";

        public override bool IsDynamic => false;

        public override byte[] Encode(object? value)
        {
            var address = value switch
            {
                EthereumAddress a => a,
                string s => EthereumAddress.Parse(s),
                _ => throw new EthereumFormatException($"Expected an address, got {value?.GetType().Name ?? "null"}."),
            };
            var word = new byte[32];
            address.Span.CopyTo(word.AsSpan(12));
            return word;
        }

        public override object? Decode(ReadOnlySpan<byte> data, int offset)
        {
            var word = WordAt(data, offset);
            return word[..12].IndexOfAnyExcept((byte)0) >= 0
                ? throw new EthereumFormatException("Address word has non-zero high bytes.")
                : new EthereumAddress(word[12..]);
        }
    }

    private sealed class BoolType : AbiType
    {
        public override string Name => "bool";

        public override bool IsDynamic => false;

        public override byte[] Encode(object? value) =>
            value is bool b ? Word(b ? 1 : 0) : throw new EthereumFormatException("Expected a bool.");

        public override object? Decode(ReadOnlySpan<byte> data, int offset) =>
            HexConverter.FromBigEndian(WordAt(data, offset)) switch
            {
                { IsZero: true } => false,
                { IsOne: true } => true,
                _ => throw new EthereumFormatException("Bool word is neither 0 nor 1."),
            };
    }

    private sealed class FixedBytesType(int length) : AbiType
    {
        public override string Name => "bytes" + length.ToString(CultureInfo.InvariantCulture);

        public override bool IsDynamic => false;

        public override byte[] Encode(object? value)
        {
            if (value is not byte[] bytes || bytes.Length != length)
            {
                throw new EthereumFormatException($"Expected {length} bytes for {Name}.");
            }

            var word = new byte[32];
            bytes.CopyTo(word, 0);
            return word;
        }

        public override object? Decode(ReadOnlySpan<byte> data, int offset) => WordAt(data, offset)[..length].ToArray();
    }

    private sealed class BytesType(bool isString) : AbiType
    {
        public override string Name => isString ? "string" : "bytes";

        public override bool IsDynamic => true;

        public override byte[] Encode(object? value)
        {
            var bytes = value switch
            {
                string s when isString => Encoding.UTF8.GetBytes(s),
                byte[] b when !isString => b,
                _ => throw new EthereumFormatException($"Expected {(isString ? "a string" : "bytes")} for {Name}."),
            };
            var padded = new byte[32 + (bytes.Length + 31) / 32 * 32];
            Word(bytes.Length).CopyTo(padded, 0);
            bytes.CopyTo(padded, 32);
            return padded;
        }

        public override object? Decode(ReadOnlySpan<byte> data, int offset)
        {
            var length = ReadLength(data, offset);
            if (offset + 32 + length > data.Length)
            {
                throw new EthereumFormatException($"ABI {Name} of {length} bytes runs past the data.");
            }

            var bytes = data.Slice(offset + 32, length);
            return isString ? Encoding.UTF8.GetString(bytes) : bytes.ToArray();
        }
    }

    private sealed class ArrayType(AbiType element, int? length) : AbiType
    {
        public override string Name => element.Name + "[" + (length?.ToString(CultureInfo.InvariantCulture) ?? "") + "]";

        public override bool IsDynamic => length is null || element.IsDynamic;

        public override int StaticSize => IsDynamic ? 32 : length!.Value * element.StaticSize;

        public override byte[] Encode(object? value)
        {
            if (value is not IList list)
            {
                throw new EthereumFormatException($"Expected a list for {Name}.");
            }

            if (length is { } fixedLength && list.Count != fixedLength)
            {
                throw new EthereumFormatException($"{Name} needs {fixedLength} elements, got {list.Count}.");
            }

            var items = new object?[list.Count];
            list.CopyTo(items, 0);
            var body = new TupleType(Enumerable.Repeat(element, items.Length).ToArray()).Encode(items);
            return length is null ? [.. Word(items.Length), .. body] : body;
        }

        public override object? Decode(ReadOnlySpan<byte> data, int offset)
        {
            int count = length ?? ReadLength(data, offset);
            int start = length is null ? offset + 32 : offset;
            if (count > (data.Length - start) / 32 + 1)
            {
                throw new EthereumFormatException($"{Name} claims {count} elements, more than the data holds.");
            }

            return new TupleType(Enumerable.Repeat(element, count).ToArray()).DecodeTuple(data[start..], 0);
        }
    }

    internal sealed class TupleType(IReadOnlyList<AbiType> components) : AbiType
    {
        public IReadOnlyList<AbiType> Components { get; } = components;

        public override string Name => "(" + string.Join(",", Components.Select(c => c.Name)) + ")";

        public override bool IsDynamic => Components.Any(c => c.IsDynamic);

        public override int StaticSize => IsDynamic ? 32 : Components.Sum(c => c.StaticSize);

        public override byte[] Encode(object? value)
        {
            if (value is not IList list || list.Count != Components.Count)
            {
                throw new EthereumFormatException($"Expected {Components.Count} values for {Name}.");
            }

            var headSize = Components.Sum(c => c.IsDynamic ? 32 : c.StaticSize);
            var heads = new List<byte[]>(Components.Count);
            var tails = new List<byte[]>();
            var tailOffset = headSize;
            for (var i = 0; i < Components.Count; i++)
            {
                var encoded = Components[i].Encode(list[i]);
                if (Components[i].IsDynamic)
                {
                    heads.Add(Word(tailOffset));
                    tails.Add(encoded);
                    tailOffset += encoded.Length;
                }
                else
                {
                    heads.Add(encoded);
                }
            }

            return Bytes.Concat(heads.Concat(tails));
        }

        public override object? Decode(ReadOnlySpan<byte> data, int offset) => DecodeTuple(data, offset);

        public object?[] DecodeTuple(ReadOnlySpan<byte> data, int offset)
        {
            var values = new object?[Components.Count];
            var head = offset;
            for (var i = 0; i < Components.Count; i++)
            {
                var component = Components[i];
                if (component.IsDynamic)
                {
                    var relative = ReadLength(data, head);
                    values[i] = component.Decode(data, offset + relative);
                    head += 32;
                }
                else
                {
                    values[i] = component.Decode(data, head);
                    head += component.StaticSize;
                }
            }

            return values;
        }
    }
}
