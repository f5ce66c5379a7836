using System.Numerics;
using System.Text;
using Zkml.Ezkl.Engine;
using Zkml.Ezkl.Evm;
using Zkml.TestSupport;

namespace Zkml.Ezkl.Tests.Engine;

/// <summary>The scan of a memory image for the pinned verifying key, with the fixture's string, digest and vk.key.</summary>
public sealed class PinnedKeyExtractionTests
{
    private static readonly byte[] s_text = File.ReadAllBytes(TestPaths.Fixture("pinned-vk.txt"));
    private static readonly byte[] s_vk = File.ReadAllBytes(TestPaths.Fixture("vk.key"));
    private static readonly Lazy<PinnedVerifyingKey> s_key = new(() => PinnedVerifyingKey.Parse(Encoding.ASCII.GetString(s_text)));

    private static byte[] DigestInMemory(BigInteger digest) =>
        PinnedKeyExtraction.MontgomeryLittleEndian(digest, (BigInteger.One << 256) % PinnedVerifyingKey.ScalarModulus, PinnedVerifyingKey.ScalarModulus);

    /// <summary>
    /// An image laid out like the engine's after vkValidation: a short leftover, a truncated copy (107,520 bytes,
    /// where the String grew), then the complete copy, and the digest in Montgomery form elsewhere.
    /// </summary>
    private static byte[] Image(byte[] text, BigInteger? digest, bool withTruncatedCopies = true)
    {
        using var image = new MemoryStream();
        image.Write(new byte[4096]);
        if (withTruncatedCopies)
        {
            image.Write(text.AsSpan(0, 202));
            image.WriteByte(0);
            image.Write(new byte[333]);
            image.Write(text.AsSpan(0, 107_520));
            image.Write([0x10, 0x00, 0x00, 0x00]);
        }

        image.Write(text);
        image.Write([0x00, 0x7f, 0x00]);
        image.Write(new byte[1000]);
        if (digest is { } d)
        {
            image.Write(DigestInMemory(d));
        }

        image.Write(new byte[64]);
        return image.ToArray();
    }

    [Fact]
    public void The_complete_copy_is_picked_among_truncated_ones()
    {
        var key = PinnedKeyExtraction.FindInMemory(Image(s_text, s_key.Value.Digest), s_vk);

        Assert.Equal(Encoding.ASCII.GetString(s_text), key.Text);
        Assert.Equal(s_key.Value.Digest, key.Digest);
    }

    [Fact]
    public void A_copy_whose_digest_is_not_in_memory_is_refused()
    {
        var error = Assert.Throws<EvmVerifierException>(() => PinnedKeyExtraction.FindInMemory(Image(s_text, digest: null), s_vk));

        Assert.Contains("digest is not in memory", error.Message, StringComparison.Ordinal);
        Assert.Contains("3 copies in memory, 1 complete", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_one_byte_change_in_the_string_is_refused_by_the_digest_check()
    {
        // A corrupted copy that still parses (one hex digit of a commitment changed) beside the real digest.
        var corrupted = (byte[])s_text.Clone();
        var at = Encoding.ASCII.GetString(corrupted).IndexOf("fixed_commitments: [(0x", StringComparison.Ordinal) + "fixed_commitments: [(0x".Length + 10;
        corrupted[at] = corrupted[at] == (byte)'0' ? (byte)'1' : (byte)'0';

        var error = Assert.Throws<EvmVerifierException>(() => PinnedKeyExtraction.FindInMemory(Image(corrupted, s_key.Value.Digest), s_vk));

        Assert.Equal(EvmVerifierFailure.MalformedPinnedKey, error.Failure);
        Assert.Contains("digest is not in memory", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_genuine_copy_is_picked_when_a_corrupted_one_comes_first()
    {
        var corrupted = (byte[])s_text.Clone();
        var at = Encoding.ASCII.GetString(corrupted).IndexOf("k: 6", StringComparison.Ordinal) + 3;
        corrupted[at] = (byte)'7';
        byte[] image = [.. Image(corrupted, digest: null, withTruncatedCopies: false), .. Image(s_text, s_key.Value.Digest)];

        Assert.Equal(s_key.Value.Digest, PinnedKeyExtraction.FindInMemory(image, s_vk).Digest);
    }

    [Theory]
    [InlineData(1, "k is")]              // k
    [InlineData(3, "fixed commitments")] // the fixed column count
    [InlineData(7 + 5, "fixed commitment 0 differs")]
    [InlineData(7 + (64 * 38) + 40, "permutation commitment 0 differs")]
    public void A_one_byte_change_in_vk_key_is_refused(int offset, string expected)
    {
        var vk = (byte[])s_vk.Clone();
        vk[offset] ^= 0x01;

        var error = Assert.Throws<EvmVerifierException>(() => PinnedKeyExtraction.FindInMemory(Image(s_text, s_key.Value.Digest), vk));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Memory_without_a_pinned_key_is_a_typed_error()
    {
        var error = Assert.Throws<EvmVerifierException>(() => PinnedKeyExtraction.FindInMemory(new byte[100_000], s_vk));

        Assert.Contains("no pinned verifying key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_engine_file_is_refused_naming_the_supported_version()
    {
        var other = new string('a', 64);

        var error = Assert.Throws<EvmVerifierEngineException>(() => PinnedKeyExtraction.RequireSupportedEngine(other));

        Assert.Equal(other, error.EngineSha256);
        Assert.Contains("21.0.0", error.Message, StringComparison.Ordinal);
        PinnedKeyExtraction.RequireSupportedEngine(EngineModule.PinnedSha256);
    }
}

/// <summary>The extraction on the real engine, with the fixture's key and settings.</summary>
[Collection(EngineCollection.Name)]
public sealed class PinnedKeyEngineExtractionTests(EngineFixture fixture)
{
    [Fact]
    public async Task The_engine_leaves_the_fixture_keys_pinned_string_byte_for_byte()
    {
        var key = await fixture.Engine.ExtractPinnedVerifyingKeyAsync(fixture.VerifyingKey, fixture.Settings);

        Assert.Equal(File.ReadAllText(TestPaths.Fixture("pinned-vk.txt"), Encoding.ASCII), key.Text);
    }

    [Fact]
    public async Task A_second_extraction_of_the_same_key_comes_from_the_cache()
    {
        var first = await fixture.Engine.ExtractPinnedVerifyingKeyAsync(fixture.VerifyingKey, fixture.Settings);
        var created = fixture.Engine.PoolStatistics.Created;

        var second = await fixture.Engine.ExtractPinnedVerifyingKeyAsync(fixture.VerifyingKey, fixture.Settings);

        Assert.Same(first, second);
        Assert.Equal(created, fixture.Engine.PoolStatistics.Created);
    }

    [Fact]
    public async Task CreateEvmVerifierAsync_reports_its_stages_and_gives_the_same_source_twice()
    {
        var stages = new List<EzklStage>();
        var progress = new SynchronousProgress(p => stages.Add(p.Stage));

        var first = await fixture.Engine.CreateEvmVerifierAsync(fixture.VerifyingKey, fixture.Settings, fixture.Srs, progress);
        var second = await fixture.Engine.CreateEvmVerifierAsync(fixture.VerifyingKey, fixture.Settings, fixture.Srs);

        Assert.Equal([EzklStage.ExtractingConstraintSystem, EzklStage.GeneratingVerifier, EzklStage.Completed], stages);
        Assert.Equal(first.SoliditySource, second.SoliditySource);
        Assert.Equal(4, first.NumInstances);
        Assert.Contains("function verifyProof", first.SoliditySource, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateEvmVerifierAsync_refuses_a_truncated_verifying_key_with_a_typed_error()
    {
        var truncated = VerifyingKey.FromBytes(fixture.VerifyingKey.Bytes.Span[..1000]);

        await Assert.ThrowsAnyAsync<EzklException>(() => fixture.Engine.CreateEvmVerifierAsync(truncated, fixture.Settings, fixture.Srs).AsTask());
    }

    private sealed class SynchronousProgress(Action<EzklProgress> report) : IProgress<EzklProgress>
    {
        public void Report(EzklProgress value) => report(value);
    }

    [Fact]
    public void The_fixture_settings_declare_the_instances_of_its_proof()
    {
        var instances = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(TestPaths.Fixture("proof.json")))!["instances"]!.AsArray()
            .Sum(column => column!.AsArray().Count);

        Assert.Equal(instances, EzklEngine.CountEvmInstances(fixture.Settings));
    }

    [Fact]
    public void Instances_count_the_poseidon_modules_of_settings_built_in_memory()
    {
        // The compiled-circuit codec and the compiler build module_sizes from ulong values, not parsed JSON.
        var settings = CircuitSettings.Parse(File.ReadAllBytes(TestPaths.Fixture("settings.json")));
        settings.ModuleSizes["poseidon"] = new System.Text.Json.Nodes.JsonArray(
            System.Text.Json.Nodes.JsonValue.Create(123UL), new System.Text.Json.Nodes.JsonArray(System.Text.Json.Nodes.JsonValue.Create(1UL)));

        Assert.Equal(EzklEngine.CountEvmInstances(fixture.Settings) + 1, EzklEngine.CountEvmInstances(settings));
    }
}
