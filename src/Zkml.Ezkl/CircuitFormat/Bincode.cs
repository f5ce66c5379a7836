using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Zkml.Ezkl.Compilation.Circuit;

/// <summary>
/// Writes values in bincode 1.x's default encoding, the one ezkl uses for compiled circuits:
/// little-endian fixed-width integers, u64 length prefixes for strings and sequences, a u8 tag for
/// options and a u32 variant index for enums.
/// </summary>
internal sealed class BincodeWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    /// <summary>
    /// The next <paramref name="count"/> bytes of the output, already counted as written; the caller fills
    /// them at once (the span stays valid until the next call). The writer's counterpart of the reader's Take.
    /// </summary>
    private Span<byte> Next(int count)
    {
        var span = _buffer.GetSpan(count)[..count];
        _buffer.Advance(count);
        return span;
    }

    public void U8(byte value) => Next(1)[0] = value;

    public void Bool(bool value) => U8(value ? (byte)1 : (byte)0);

    public void U32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Next(4), value);

    public void I32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Next(4), value);

    public void U64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Next(8), value);

    public void I64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Next(8), value);

    public void I128(Int128 value) => BinaryPrimitives.WriteInt128LittleEndian(Next(16), value);

    public void U128(UInt128 value) => BinaryPrimitives.WriteUInt128LittleEndian(Next(16), value);

    public void F32(float value) => BinaryPrimitives.WriteSingleLittleEndian(Next(4), value);

    public void F64(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Next(8), value);

    public void Length(int count) => U64((ulong)count);

    public void String(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        Length(count);
        Encoding.UTF8.GetBytes(value, Next(count));
    }

    public void Sequence<T>(IReadOnlyList<T> items, Action<T> writeItem)
    {
        Length(items.Count);
        foreach (var item in items)
        {
            writeItem(item);
        }
    }

    public void Option<T>(T? value, Action<T> writeValue)
        where T : struct
    {
        if (value is { } v)
        {
            U8(1);
            writeValue(v);
        }
        else
        {
            U8(0);
        }
    }

    public void OptionRef<T>(T? value, Action<T> writeValue)
        where T : class
    {
        if (value is not null)
        {
            U8(1);
            writeValue(value);
        }
        else
        {
            U8(0);
        }
    }

    /// <summary>A BN254 scalar field element: the canonical value mod r, 32 bytes little-endian.</summary>
    public void FieldElement(BigInteger value)
    {
        var canonical = Felt.FromSignedInteger(value).Value;
        var bytes = Next(32);
        bytes.Clear();
        canonical.TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
    }
}

/// <summary>Reads bincode 1.x values; every malformed input becomes a <see cref="CompiledCircuitFormatException"/>.</summary>
internal sealed class BincodeReader
{
    private readonly ReadOnlyMemory<byte> _data;
    private int _position;

    public BincodeReader(ReadOnlyMemory<byte> data) => _data = data;

    public int Position => _position;

    public int Remaining => _data.Length - _position;

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || _position + count > _data.Length)
        {
            throw new CompiledCircuitFormatException($"unexpected end of data: needed {count} bytes at offset {_position} of {_data.Length}");
        }

        var span = _data.Span.Slice(_position, count);
        _position += count;
        return span;
    }

    public byte U8() => Take(1)[0];

    public bool Bool()
    {
        var at = _position;
        return U8() switch
        {
            0 => false,
            1 => true,
            var other => throw new CompiledCircuitFormatException($"invalid bool {other} at offset {at}"),
        };
    }

    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public int I32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public long I64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public Int128 I128() => BinaryPrimitives.ReadInt128LittleEndian(Take(16));

    public UInt128 U128() => BinaryPrimitives.ReadUInt128LittleEndian(Take(16));

    public float F32() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public double F64() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public int Length()
    {
        var at = _position;
        var length = U64();
        // Every element takes at least one byte, so a longer length cannot be honest.
        if (length > (ulong)Remaining)
        {
            throw new CompiledCircuitFormatException($"length {length} at offset {at} exceeds the {Remaining} remaining bytes");
        }

        return (int)length;
    }

    public string String() => Encoding.UTF8.GetString(Take(Length()));

    public List<T> Sequence<T>(Func<T> readItem)
    {
        var count = Length();
        var items = new List<T>(count);
        for (var i = 0; i < count; i++)
        {
            items.Add(readItem());
        }

        return items;
    }

    public T? Option<T>(Func<T> readValue)
        where T : struct => OptionTag() ? readValue() : null;

    public T? OptionRef<T>(Func<T> readValue)
        where T : class => OptionTag() ? readValue() : null;

    private bool OptionTag()
    {
        var at = _position;
        return U8() switch
        {
            0 => false,
            1 => true,
            var other => throw new CompiledCircuitFormatException($"invalid option tag {other} at offset {at}"),
        };
    }

    public uint Variant(int count, string enumName)
    {
        var at = _position;
        var tag = U32();
        if (tag >= count)
        {
            throw new CompiledCircuitFormatException($"invalid {enumName} variant {tag} at offset {at}");
        }

        return tag;
    }

    public BigInteger FieldElement()
    {
        var at = _position;
        var value = new BigInteger(Take(32), isUnsigned: true, isBigEndian: false);
        if (value >= Felt.Modulus)
        {
            throw new CompiledCircuitFormatException($"field element at offset {at} is not below the BN254 scalar modulus");
        }

        return new Felt(value).ToSignedInteger();
    }
}
