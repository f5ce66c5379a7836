namespace Zkml.Ezkl.Engine;

/// <summary>
/// One decoded instruction of a function body: where it is, its opcode (for the 0xFC and 0xFE prefixes the
/// sub-opcode too) and the immediate the rewriter needs (a local index or a constant). Instructions the decoder
/// does not know (SIMD, GC, stack switching) throw <see cref="NotSupportedException"/>: the caller then leaves the
/// module as it is.
/// </summary>
internal readonly record struct WasmInstruction(int Start, int End, byte Opcode, uint SubOpcode, ulong Immediate)
{
    public const byte MiscPrefix = 0xFC;
    public const byte AtomicPrefix = 0xFE;

    public static WasmInstruction Read(ReadOnlySpan<byte> code, int pos)
    {
        var start = pos;
        var opcode = code[pos++];
        uint sub = 0;
        ulong immediate = 0;
        switch (opcode)
        {
            case 0x02 or 0x03 or 0x04: // block, loop, if: block type (empty, a value type or an s33 type index)
                if (code[pos] is 0x63 or 0x64)
                {
                    SkipValueType(code, ref pos);
                }
                else if (code[pos] is >= 0x40 and < 0x80)
                {
                    pos++; // empty or a one-byte value type (negative in s33)
                }
                else
                {
                    Leb128.ReadSigned(code, ref pos); // a type index
                }

                break;
            case 0x0C or 0x0D: // br, br_if
            case 0x10: // call
            case 0x12: // return_call
            case 0x20 or 0x21 or 0x22 or 0x23 or 0x24: // local.get/set/tee, global.get/set
            case 0x25 or 0x26: // table.get/set
            case 0xD2: // ref.func
                immediate = Leb128.ReadUnsigned(code, ref pos);
                break;
            case 0x0E: // br_table
                var targets = Leb128.ReadUnsigned(code, ref pos);
                for (var i = 0UL; i <= targets; i++)
                {
                    Leb128.ReadUnsigned(code, ref pos);
                }

                break;
            case 0x11 or 0x13: // call_indirect, return_call_indirect: type, table
                Leb128.ReadUnsigned(code, ref pos);
                Leb128.ReadUnsigned(code, ref pos);
                break;
            case 0x1C: // select with types
                var types = Leb128.ReadUnsigned(code, ref pos);
                for (var i = 0UL; i < types; i++)
                {
                    SkipValueType(code, ref pos);
                }

                break;
            case >= 0x28 and <= 0x3E: // loads and stores
                SkipMemArg(code, ref pos);
                break;
            case 0x3F or 0x40: // memory.size, memory.grow
                Leb128.ReadUnsigned(code, ref pos);
                break;
            case 0x41: // i32.const
                immediate = (uint)(int)Leb128.ReadSigned(code, ref pos);
                break;
            case 0x42: // i64.const
                immediate = (ulong)Leb128.ReadSigned(code, ref pos);
                break;
            case 0x43:
                pos += 4;
                break;
            case 0x44:
                pos += 8;
                break;
            case 0xD0: // ref.null heap type
                SkipHeapType(code, ref pos);
                break;
            case MiscPrefix:
                sub = (uint)Leb128.ReadUnsigned(code, ref pos);
                switch (sub)
                {
                    case <= 7 or (>= 19 and <= 22): // saturating truncations, wide arithmetic
                        break;
                    case 8 or 10 or 12 or 14: // memory.init, memory.copy, table.init, table.copy: two indices
                        Leb128.ReadUnsigned(code, ref pos);
                        Leb128.ReadUnsigned(code, ref pos);
                        break;
                    case 9 or 11 or 13 or 15 or 16 or 17: // data.drop, memory.fill, elem.drop, table.grow/size/fill
                        Leb128.ReadUnsigned(code, ref pos);
                        break;
                    default:
                        throw new NotSupportedException($"instruction 0xFC {sub}");
                }

                break;
            case AtomicPrefix:
                sub = (uint)Leb128.ReadUnsigned(code, ref pos);
                if (sub == 0x03)
                {
                    pos++; // atomic.fence: one reserved byte
                }
                else
                {
                    SkipMemArg(code, ref pos);
                }

                break;
            case 0x00 or 0x01 or 0x05 or 0x0B or 0x0F or 0x1A or 0x1B or 0xD1:
            case >= 0x45 and <= 0xC4:
                break;
            default:
                throw new NotSupportedException($"instruction 0x{opcode:X2}");
        }

        return new WasmInstruction(start, pos, opcode, sub, immediate);
    }

    private static void SkipMemArg(ReadOnlySpan<byte> code, ref int pos)
    {
        var align = Leb128.ReadUnsigned(code, ref pos);
        if ((align & 0x40) != 0)
        {
            Leb128.ReadUnsigned(code, ref pos); // memory index (multi-memory)
        }

        Leb128.ReadUnsigned(code, ref pos); // offset
    }

    /// <summary>Skips a value type: one byte, or a reference type with its heap type.</summary>
    public static void SkipValueType(ReadOnlySpan<byte> code, ref int pos)
    {
        var type = code[pos++];
        if (type is 0x63 or 0x64)
        {
            SkipHeapType(code, ref pos);
        }
    }

    private static void SkipHeapType(ReadOnlySpan<byte> code, ref int pos) => Leb128.ReadSigned(code, ref pos);
}
