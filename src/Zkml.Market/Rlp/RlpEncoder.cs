using System.Numerics;

namespace Zkml.Market.Rlp;

/// <summary>Recursive Length Prefix encoding (Ethereum Yellow Paper, appendix B).</summary>
internal static class RlpEncoder
{
    /// <summary>A byte string: a single byte below 0x80 stands for itself, otherwise a length prefix from 0x80.</summary>
    public static byte[] EncodeBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length == 1 && bytes[0] < 0x80 ? [bytes[0]] : Bytes.Concat([Prefix(0x80, bytes.Length), bytes.ToArray()]);

    /// <summary>A non-negative integer as its minimal big-endian bytes (0 is the empty string, 0x80).</summary>
    public static byte[] EncodeInteger(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new EthereumFormatException("RLP cannot encode a negative integer.");
        }

        return EncodeBytes(HexConverter.ToBigEndian(value));
    }

    /// <summary>A list of already-encoded items.</summary>
    public static byte[] EncodeList(params IEnumerable<byte[]> encodedItems)
    {
        var items = encodedItems.ToList();
        var length = items.Sum(item => item.Length);
        items.Insert(0, Prefix(0xc0, length));
        return Bytes.Concat(items);
    }

    private static byte[] Prefix(int offset, int length)
    {
        if (length <= 55)
        {
            return [(byte)(offset + length)];
        }

        var lengthBytes = HexConverter.ToBigEndian(length);
        return [(byte)(offset + 55 + lengthBytes.Length), .. lengthBytes];
    }
}

/// <summary>A decoded RLP item: either a byte string or a list of items.</summary>
internal sealed class RlpItem
{
    private RlpItem(byte[]? bytes, IReadOnlyList<RlpItem>? items)
    {
        Bytes = bytes;
        Items = items;
    }

    public byte[]? Bytes { get; }

    public IReadOnlyList<RlpItem>? Items { get; }

    public bool IsList => Items is not null;

    public BigInteger AsInteger() => HexConverter.FromBigEndian(Bytes ?? throw new EthereumFormatException("RLP item is a list, not an integer."));

    /// <summary>Decodes exactly one item that spans all of <paramref name="data"/>; rejects non-canonical forms.</summary>
    public static RlpItem Decode(ReadOnlySpan<byte> data)
    {
        var item = Read(data, out var consumed);
        if (consumed != data.Length)
        {
            throw new EthereumFormatException($"RLP has {data.Length - consumed} trailing bytes.");
        }

        return item;
    }

    private static RlpItem Read(ReadOnlySpan<byte> data, out int consumed)
    {
        if (data.IsEmpty)
        {
            throw new EthereumFormatException("RLP input ends early.");
        }

        var first = data[0];
        if (first < 0x80)
        {
            consumed = 1;
            return new RlpItem([first], null);
        }

        bool isList = first >= 0xc0;
        int baseOffset = isList ? 0xc0 : 0x80;
        int header, length;
        if (first - baseOffset <= 55)
        {
            header = 1;
            length = first - baseOffset;
        }
        else
        {
            int lengthOfLength = first - baseOffset - 55;
            if (data.Length < 1 + lengthOfLength || data[1] == 0 || lengthOfLength > 4)
            {
                throw new EthereumFormatException("RLP length prefix is malformed.");
            }

            var declared = HexConverter.FromBigEndian(data.Slice(1, lengthOfLength));
            if (declared > data.Length)
            {
                throw new EthereumFormatException("RLP input ends early.");
            }

            length = (int)declared;
            if (length <= 55)
            {
                throw new EthereumFormatException("RLP uses a long length prefix for a short payload.");
            }

            header = 1 + lengthOfLength;
        }

        if (data.Length < header + length)
        {
            throw new EthereumFormatException("RLP input ends early.");
        }

        var payload = data.Slice(header, length);
        consumed = header + length;
        if (!isList)
        {
            if (length == 1 && payload[0] < 0x80)
            {
                throw new EthereumFormatException("RLP encodes a single low byte with a prefix.");
            }

            return new RlpItem(payload.ToArray(), null);
        }

        var items = new List<RlpItem>();
        while (!payload.IsEmpty)
        {
            items.Add(Read(payload, out var used));
            payload = payload[used..];
        }

        return new RlpItem(null, items);
    }
}
