namespace Zkml.Market;

/// <summary>Byte-array helpers shared by the encoders.</summary>
internal static class Bytes
{
    /// <summary>Concatenates byte arrays with block copies (encoders build large call data from many parts).</summary>
    public static byte[] Concat(IEnumerable<byte[]> parts)
    {
        var list = parts as IReadOnlyList<byte[]> ?? parts.ToArray();
        var length = 0;
        for (var i = 0; i < list.Count; i++)
        {
            length += list[i].Length;
        }

        var result = new byte[length];
        var offset = 0;
        for (var i = 0; i < list.Count; i++)
        {
            Buffer.BlockCopy(list[i], 0, result, offset, list[i].Length);
            offset += list[i].Length;
        }

        return result;
    }
}
