namespace Zkml.Ezkl.Engine;

/// <summary>
/// Rewrites the engine's imported memory from shared to plain. The nodejs build declares a shared
/// <c>env.memory</c> (it was built with atomics) but never starts threads; a plain memory lets Wasmtime's
/// managed API create and define it, and the atomic instructions still validate and run on it.
/// Only the limits flag byte of each imported memory changes (0x03 -> 0x01); nothing moves.
/// </summary>
internal static class WasmImportPatcher
{
    private const byte ImportSectionId = 2;
    private const byte SharedFlag = 0x02;

    /// <summary>Clears the shared flag of every imported memory, in place. Returns how many were patched.</summary>
    public static int UnshareImportedMemories(byte[] module)
    {
        if (module.Length < 8 || module[0] != 0 || module[1] != (byte)'a' || module[2] != (byte)'s' || module[3] != (byte)'m')
        {
            throw new EzklEngineLoadException("the engine file is not a WebAssembly module");
        }

        var pos = 8;
        while (pos < module.Length)
        {
            var id = module[pos++];
            var size = (int)Leb128.ReadUnsigned(module, ref pos);
            var end = pos + size;
            if (id != ImportSectionId)
            {
                pos = end;
                continue;
            }

            var patched = 0;
            var count = Leb128.ReadUnsigned(module, ref pos);
            for (var i = 0u; i < count; i++)
            {
                SkipName(module, ref pos); // module name
                SkipName(module, ref pos); // field name
                var kind = module[pos++];
                switch (kind)
                {
                    case 0: // function: type index
                        Leb128.ReadUnsigned(module, ref pos);
                        break;
                    case 1: // table: element type, limits
                        pos++;
                        SkipLimits(module, ref pos, out _);
                        break;
                    case 2: // memory: limits
                        var flagsAt = pos;
                        SkipLimits(module, ref pos, out var flags);
                        if ((flags & SharedFlag) != 0)
                        {
                            module[flagsAt] = (byte)(flags & ~SharedFlag);
                            patched++;
                        }

                        break;
                    case 3: // global: value type, mutability
                        pos += 2;
                        break;
                    case 4: // tag: attribute, type index
                        pos++;
                        Leb128.ReadUnsigned(module, ref pos);
                        break;
                    default:
                        throw new EzklEngineLoadException($"unexpected import kind {kind} in the engine module");
                }
            }

            return patched;
        }

        return 0;
    }

    private static void SkipName(byte[] module, ref int pos)
    {
        var length = (int)Leb128.ReadUnsigned(module, ref pos);
        pos += length;
    }

    private static void SkipLimits(byte[] module, ref int pos, out byte flags)
    {
        flags = module[pos++];
        Leb128.ReadUnsigned(module, ref pos);
        if ((flags & 0x01) != 0)
        {
            Leb128.ReadUnsigned(module, ref pos);
        }
    }
}
