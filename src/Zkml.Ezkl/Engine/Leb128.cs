namespace Zkml.Ezkl.Engine;

/// <summary>The variable-length integers of the WebAssembly binary format.</summary>
internal static class Leb128
{
    public static ulong ReadUnsigned(ReadOnlySpan<byte> bytes, ref int pos)
    {
        ulong result = 0;
        var shift = 0;
        while (true)
        {
            var b = bytes[pos++];
            result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }

            shift += 7;
            if (shift > 63)
            {
                throw new FormatException("LEB128 integer longer than 64 bits");
            }
        }
    }

    public static long ReadSigned(ReadOnlySpan<byte> bytes, ref int pos)
    {
        long result = 0;
        var shift = 0;
        byte b;
        do
        {
            b = bytes[pos++];
            result |= (long)(b & 0x7f) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0 && shift < 70);

        if ((b & 0x80) != 0)
        {
            throw new FormatException("LEB128 integer longer than 64 bits");
        }

        if (shift < 64 && (b & 0x40) != 0)
        {
            result |= -1L << shift;
        }

        return result;
    }

    public static void WriteUnsigned(List<byte> output, ulong value)
    {
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            output.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
    }

    public static void WriteSigned(List<byte> output, long value)
    {
        while (true)
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            var done = (value == 0 && (b & 0x40) == 0) || (value == -1 && (b & 0x40) != 0);
            output.Add(done ? b : (byte)(b | 0x80));
            if (done)
            {
                return;
            }
        }
    }
}
