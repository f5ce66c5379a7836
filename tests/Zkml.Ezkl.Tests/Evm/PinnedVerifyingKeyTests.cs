using System.Buffers.Binary;
using System.Numerics;
using System.Text;
using Zkml.Ezkl.Evm;
using Zkml.TestSupport;

namespace Zkml.Ezkl.Tests.Evm;

public sealed class PinnedVerifyingKeyTests
{
    private static readonly BigInteger FixtureDigest =
        BigInteger.Parse("01ca7b805daff76861d9eb4ec0024d3adb8e0711b86a34f2678bab3a53e5d08ad", System.Globalization.NumberStyles.HexNumber);

    private static readonly Lazy<string> s_text = new(() => File.ReadAllText(TestPaths.Fixture("pinned-vk.txt"), Encoding.ASCII));

    [Fact]
    public void The_fixture_string_hashes_to_the_digest_the_engine_keeps_in_memory()
    {
        var key = PinnedVerifyingKey.Parse(s_text.Value);

        Assert.Equal(FixtureDigest, key.Digest);
        Assert.Equal(s_text.Value, key.Text);
    }

    [Fact]
    public void The_fixture_domain_and_commitments_equal_vk_key()
    {
        var key = PinnedVerifyingKey.Parse(s_text.Value);
        var vk = File.ReadAllBytes(TestPaths.Fixture("vk.key"));

        Assert.Equal(vk[1], key.K);
        var fixedCount = BinaryPrimitives.ReadInt32LittleEndian(vk.AsSpan(3));
        Assert.Equal(fixedCount, key.FixedCommitments.Count);
        var offset = 7;
        foreach (var expected in key.FixedCommitments.Concat(key.PermutationCommitments))
        {
            Assert.Equal(expected, ReadMontgomeryPoint(vk.AsSpan(offset)));
            offset += 64;
        }

        // Most of the fixture's fixed columns commit to non-trivial polynomials; a parse that lost them would show.
        Assert.Contains(key.FixedCommitments, p => !p.IsIdentity);
        Assert.Contains(key.FixedCommitments, p => p.IsIdentity);
    }

    [Fact]
    public void The_fixture_constraint_system_has_the_counts_of_the_probe_notes()
    {
        var key = PinnedVerifyingKey.Parse(s_text.Value);

        Assert.Equal(9, key.ExtendedK);
        Assert.Equal(38, key.NumFixedColumns);
        Assert.Equal(30, key.NumAdviceColumns);
        Assert.Equal(1, key.NumInstanceColumns);
        Assert.Equal(80, key.NumSelectors);
        Assert.Empty(key.Shuffles);
        Assert.Equal(0, key.NumChallenges);
        Assert.Null(key.MinimumDegree);
        Assert.Equal(new PinnedColumn(ColumnKind.Fixed, 0), Assert.Single(key.Constants));
        Assert.Equal(key.PermutationColumns.Count, key.PermutationCommitments.Count);
        Assert.All(key.AdviceQueries, q => Assert.Equal(ColumnKind.Advice, q.Column.Kind));
        Assert.NotEmpty(key.Gates);
        Assert.NotEmpty(key.Lookups);
    }

    [Fact]
    public void A_one_character_change_changes_the_digest()
    {
        var text = s_text.Value;
        var at = text.IndexOf("k: 6", StringComparison.Ordinal);
        var changed = text[..at] + "k: 7" + text[(at + 4)..];

        Assert.NotEqual(FixtureDigest, PinnedVerifyingKey.ComputeDigest(changed));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1000)]
    [InlineData(100_000)]
    public void A_truncated_string_is_a_typed_error(int missing)
    {
        var text = s_text.Value[..^missing];

        var error = Assert.Throws<EvmVerifierException>(() => PinnedVerifyingKey.Parse(text));
        Assert.Equal(EvmVerifierFailure.MalformedPinnedKey, error.Failure);
    }

    [Theory]
    [InlineData("Product(", "Produkt(")]
    [InlineData("rotation: Rotation(0)", "rotation: Rotation(x)")]
    [InlineData("num_advice_columns: 30", "num_advice_columns: -")]
    [InlineData("0x05b67344ee401b3f79d93b71e67758bdc563601de9952afb65aa182cca2fb1df", "0x05b67344ee401b3f79d93b71e67758bdc563601de9952afb65aa182cca2fb1d")]
    [InlineData("PinnedVerificationKey {", "PinnedVerifyingKey {")]
    public void A_malformed_string_is_a_typed_error(string from, string to)
    {
        var text = s_text.Value;
        var at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0);
        var changed = text[..at] + to + text[(at + from.Length)..];

        var error = Assert.Throws<EvmVerifierException>(() => PinnedVerifyingKey.Parse(changed));
        Assert.Equal(EvmVerifierFailure.MalformedPinnedKey, error.Failure);
    }

    [Fact]
    public void Trailing_text_after_the_key_is_a_typed_error()
    {
        Assert.Throws<EvmVerifierException>(() => PinnedVerifyingKey.Parse(s_text.Value + " "));
    }

    [Fact]
    public void TryParsePrefix_finds_the_end_of_a_complete_copy_followed_by_memory()
    {
        var text = Encoding.ASCII.GetBytes(s_text.Value);
        var memory = new byte[text.Length + 64];
        text.CopyTo(memory, 0);
        "garbage that follows"u8.CopyTo(memory.AsSpan(text.Length));

        Assert.True(PinnedVerifyingKey.TryParsePrefix(memory, out var key, out var length));
        Assert.Equal(text.Length, length);
        Assert.Equal(FixtureDigest, key!.Digest);
        Assert.Equal(s_text.Value, key.Text);
    }

    [Fact]
    public void TryParsePrefix_returns_false_for_an_incomplete_copy()
    {
        var text = Encoding.ASCII.GetBytes(s_text.Value);
        var memory = new byte[107_520 + 16];
        text.AsSpan(0, 107_520).CopyTo(memory);

        Assert.False(PinnedVerifyingKey.TryParsePrefix(memory, out var key, out var length));
        Assert.Null(key);
        Assert.Equal(0, length);
    }

    [Fact]
    public void TryParsePrefix_returns_false_for_other_bytes()
    {
        Assert.False(PinnedVerifyingKey.TryParsePrefix("PinnedVerificationKey { base_modulus: \"0x12\""u8, out _, out _));
        Assert.False(PinnedVerifyingKey.TryParsePrefix(ReadOnlySpan<byte>.Empty, out _, out _));
        Assert.False(PinnedVerifyingKey.TryParsePrefix(new byte[300], out _, out _));
    }

    private static G1Affine ReadMontgomeryPoint(ReadOnlySpan<byte> bytes)
    {
        var rInverse = BigInteger.ModPow(BigInteger.One << 256, PinnedVerifyingKey.BaseModulus - 2, PinnedVerifyingKey.BaseModulus);
        var x = new BigInteger(bytes[..32], isUnsigned: true) * rInverse % PinnedVerifyingKey.BaseModulus;
        var y = new BigInteger(bytes[32..64], isUnsigned: true) * rInverse % PinnedVerifyingKey.BaseModulus;
        return new G1Affine(x, y);
    }
}
