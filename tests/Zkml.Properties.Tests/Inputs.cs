using System.Buffers.Binary;
using CsCheck;
using Zkml.TestSupport;

namespace Zkml.Properties.Tests;

/// <summary>Generators of hostile bytes: random, and the reference fixtures mutated.</summary>
internal static class Inputs
{
    /// <summary>Random bytes, mostly short, sometimes a few KiB.</summary>
    public static readonly Gen<byte[]> RandomBytes = Gen.Frequency(
        (4, Gen.Byte.Array[0, 64]),
        (1, Gen.Byte.Array[0, 4096]));

    public static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(TestPaths.Fixtures, name));

    /// <summary>One edit: what (0..7), where (a fraction of the length), how long, which byte, which wide value.</summary>
    private static readonly Gen<(int Op, double At, int Len, byte Value, ulong Wide)> Edit =
        Gen.Select(Gen.Int[0, 7], Gen.Double[0, 1], Gen.Int[1, 64], Gen.Byte, Gen.Frequency(
            (1, Gen.ULong), (1, Gen.ULong[0, 300]), (1, Gen.Const(new[] { ulong.MaxValue, uint.MaxValue, (ulong)int.MaxValue, 1UL << 31, 1UL << 40 }).SelectMany(v => Gen.Int[0, 4].Select(i => v[i])))));

    /// <summary>The fixture with one to eight edits: bit flips, special bytes, huge length fields, cuts, splices.</summary>
    public static Gen<byte[]> Mutated(byte[] original) =>
        Edit.Array[1, 8].Select(edits =>
        {
            var bytes = original.ToList();
            foreach (var (op, at, len, value, wide) in edits)
            {
                var pos = Math.Min((int)(at * bytes.Count), Math.Max(bytes.Count - 1, 0));
                switch (op)
                {
                    case 0 when bytes.Count > 0:
                        bytes[pos] ^= (byte)(1 << (value & 7));
                        break;
                    case 1 when bytes.Count > 0:
                        bytes[pos] = value;
                        break;
                    case 2 when bytes.Count >= 8:
                        // A length or count field overwritten with a large little-endian value.
                        var wideBytes = new byte[8];
                        BinaryPrimitives.WriteUInt64LittleEndian(wideBytes, wide);
                        pos = Math.Min(pos, bytes.Count - 8);
                        for (var i = 0; i < 8; i++)
                        {
                            bytes[pos + i] = wideBytes[i];
                        }

                        break;
                    case 3:
                        bytes.RemoveRange(pos, Math.Min(len, bytes.Count - pos));
                        break;
                    case 4:
                        bytes.InsertRange(pos, Enumerable.Repeat(value, len));
                        break;
                    case 5:
                        // Truncate.
                        bytes.RemoveRange(pos, bytes.Count - pos);
                        break;
                    case 6 when bytes.Count > 0:
                        // Duplicate a slice (repeats JSON tokens, protobuf fields, bincode items).
                        var slice = bytes.GetRange(pos, Math.Min(len, bytes.Count - pos));
                        bytes.InsertRange(pos, slice);
                        break;
                    case 7:
                        // A text edit for the JSON formats: an ASCII digit, sign, quote or bracket.
                        var chars = "0123456789-+eE.\"[]{},:nt ";
                        if (bytes.Count > 0)
                        {
                            bytes[pos] = (byte)chars[value % chars.Length];
                        }

                        break;
                }
            }

            return bytes.ToArray();
        });

    /// <summary>Mutated fixture (3 in 4) or random bytes.</summary>
    public static Gen<byte[]> Hostile(byte[] original) => Gen.Frequency((3, Mutated(original)), (1, RandomBytes));
}
