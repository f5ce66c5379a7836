using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Numerics;
using System.Text;
using Zkml.Ezkl.Evm;

namespace Zkml.Ezkl.Engine;

/// <summary>
/// Reads a verifying key's constraint system out of the engine: halo2 hashes <c>format!("{:?}", vk.pinned())</c> into
/// the transcript when it loads a key, and leaves that string in linear memory. On a fresh instance (no other key in
/// memory) the engine validates the key, then memory is scanned for every copy of the string's head. Several copies can
/// be there (leftovers of the String growing); a copy is accepted only when it parses completely, its digest
/// (Montgomery form, little-endian) is in memory too, and its k and commitments are vk.key's. Results are cached by
/// (engine sha256, vk sha256).
/// </summary>
internal static class PinnedKeyExtraction
{
    /// <summary>The engine version whose memory layout and Debug grammar the extraction and generator follow.</summary>
    public const string SupportedEngineVersion = "21.0.0";

    private const int CacheCapacity = 64;

    private static readonly byte[] s_head = Encoding.ASCII.GetBytes(PinnedVerifyingKey.Prefix + "\"0x30644e72");
    private static readonly ConcurrentDictionary<(string Engine, string Vk), PinnedVerifyingKey> s_cache = new();

    // Montgomery form: x·2^256 mod r.
    private static readonly BigInteger s_montgomeryR = (BigInteger.One << 256) % PinnedVerifyingKey.ScalarModulus;
    private static readonly BigInteger s_baseMontgomeryR = (BigInteger.One << 256) % PinnedVerifyingKey.BaseModulus;

    /// <summary>Throws unless the engine file is engine 21.0.0's.</summary>
    /// <exception cref="EvmVerifierEngineException">Another engine file.</exception>
    public static void RequireSupportedEngine(string engineSha256)
    {
        if (!string.Equals(engineSha256, EngineModule.PinnedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new EvmVerifierEngineException(engineSha256, SupportedEngineVersion, EngineModule.PinnedSha256);
        }
    }

    public static bool TryGetCached(string engineSha256, string vkSha256, out PinnedVerifyingKey? key) =>
        s_cache.TryGetValue((engineSha256, vkSha256), out key);

    public static void Remember(string engineSha256, string vkSha256, PinnedVerifyingKey key)
    {
        if (s_cache.Count >= CacheCapacity)
        {
            s_cache.Clear();
        }

        s_cache[(engineSha256, vkSha256)] = key;
    }

    /// <summary>
    /// Extracts the key of <paramref name="vk"/> from a fresh instance: validates the key on it (which pins it), then
    /// scans its memory. Runs on the instance's thread.
    /// </summary>
    /// <exception cref="EvmVerifierException">No copy in memory checks out.</exception>
    public static PinnedVerifyingKey Extract(EngineInstance instance, VerifyingKey vk, byte[] settingsJson)
    {
        if (!instance.CallBool("create-evm-verifier (load vk)", "vkValidation", [vk.RawBytes, settingsJson]))
        {
            throw new EzklInvalidArtifactException(ArtifactKind.VerifyingKey, "the engine's vk validation returned false for this verifying key and settings");
        }

        var length = instance.MemoryBytes;
        if (length > int.MaxValue)
        {
            throw new EvmVerifierException(EvmVerifierFailure.InvalidInput,
                $"the engine's memory grew to {length:N0} bytes loading the verifying key; the scan reads at most 2 GB");
        }

        return FindInMemory(instance.Memory.GetSpan(0, (int)length), vk.RawBytes);
    }

    /// <summary>
    /// Finds the one copy of the pinned string in a memory image that is complete, whose digest occurs in the image
    /// (Montgomery form, little-endian), and whose k and fixed and permutation commitments are those of <paramref name="vkKey"/>.
    /// </summary>
    /// <exception cref="EvmVerifierException">No copy qualifies; the message says what the copies failed on.</exception>
    public static PinnedVerifyingKey FindInMemory(ReadOnlySpan<byte> memory, ReadOnlySpan<byte> vkKey)
    {
        var copies = 0;
        var complete = 0;
        var problems = new List<string>();
        for (var at = memory.IndexOf(s_head); at >= 0;)
        {
            copies++;
            if (PinnedVerifyingKey.TryParsePrefix(memory[at..], out var key, out var length) && key is not null)
            {
                complete++;
                var digestBytes = MontgomeryLittleEndian(key.Digest, s_montgomeryR, PinnedVerifyingKey.ScalarModulus);
                if (memory.IndexOf(digestBytes) < 0)
                {
                    problems.Add($"copy at {at}: its digest is not in memory");
                }
                else if (DescribeMismatch(key, vkKey) is { } mismatch)
                {
                    problems.Add($"copy at {at}: {mismatch}");
                }
                else
                {
                    return key;
                }

                at += Math.Max(length, 1);
            }
            else
            {
                at += s_head.Length;
            }

            var next = memory[at..].IndexOf(s_head);
            at = next < 0 ? -1 : at + next;
        }

        var detail = copies == 0
            ? "the engine left no pinned verifying key in memory"
            : $"{copies} copies in memory, {complete} complete" + (problems.Count > 0 ? ": " + string.Join("; ", problems) : "");
        throw new EvmVerifierException(EvmVerifierFailure.MalformedPinnedKey,
            $"The verifying key's constraint system could not be read from engine {SupportedEngineVersion}'s memory ({detail}).");
    }

    /// <summary>Null when k and the commitments of the pinned key are vk.key's, else what differs.</summary>
    internal static string? DescribeMismatch(PinnedVerifyingKey key, ReadOnlySpan<byte> vkKey)
    {
        // vk.key (halo2 VerifyingKey::write, RawBytes): version u8, k u8, compress_selectors u8, u32le #fixed,
        // fixed commitments, permutation commitments (count from the constraint system), then selectors. Each point
        // is x, y as Montgomery-form little-endian Fq; the identity is (0, 0).
        const int header = 7;
        if (vkKey.Length < header)
        {
            return "vk.key is too short";
        }

        if (vkKey[1] != key.K)
        {
            return $"k is {key.K}, vk.key's is {vkKey[1]}";
        }

        var fixedCount = BinaryPrimitives.ReadUInt32LittleEndian(vkKey[3..]);
        if (fixedCount != key.FixedCommitments.Count)
        {
            return $"{key.FixedCommitments.Count} fixed commitments, vk.key has {fixedCount}";
        }

        var offset = header;
        var points = key.FixedCommitments.Concat(key.PermutationCommitments).ToArray();
        if (vkKey.Length < header + (64 * points.Length))
        {
            return $"vk.key is too short for {points.Length} commitments";
        }

        for (var i = 0; i < points.Length; i++, offset += 64)
        {
            var x = MontgomeryLittleEndian(points[i].X, s_baseMontgomeryR, PinnedVerifyingKey.BaseModulus);
            var y = MontgomeryLittleEndian(points[i].Y, s_baseMontgomeryR, PinnedVerifyingKey.BaseModulus);
            if (!vkKey.Slice(offset, 32).SequenceEqual(x) || !vkKey.Slice(offset + 32, 32).SequenceEqual(y))
            {
                var which = i < key.FixedCommitments.Count ? $"fixed commitment {i}" : $"permutation commitment {i - key.FixedCommitments.Count}";
                return which + " differs from vk.key's";
            }
        }

        return null;
    }

    internal static byte[] MontgomeryLittleEndian(BigInteger value, BigInteger r, BigInteger modulus)
    {
        var bytes = new byte[32];
        (value * r % modulus).TryWriteBytes(bytes, out _, isUnsigned: true, isBigEndian: false);
        return bytes;
    }
}
