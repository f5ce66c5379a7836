using System.Diagnostics;
using System.Text;
using Zkml.Ezkl.Evm;
using Zkml.TestSupport;

namespace Zkml.Ezkl.Tests.Evm;

/// <summary>What the generator decides without a chain: layout numbers, determinism, speed and its refusals.</summary>
public sealed class EvmVerifierGeneratorTests
{
    private static readonly Lazy<string> s_text = new(() => File.ReadAllText(TestPaths.Fixture("pinned-vk.txt"), Encoding.ASCII));
    private static readonly Lazy<Srs> s_srs = new(() => Srs.Load(TestPaths.Fixture("kzg")));

    [Fact]
    public void The_fixture_layout_has_the_engines_proof_length_and_the_derived_values()
    {
        var layout = new EvmCircuitLayout(PinnedVerifyingKey.Parse(s_text.Value), 4);
        var proof = Proof.Load(TestPaths.Fixture("proof.json"));

        Assert.Equal(proof.ProofBytes.Length, layout.ProofLength);
        Assert.Equal(14_816, layout.ProofLength);
        // The values of the probe notes (reference/evm/pinned_parse.py); extended_k = 6 + ⌈log2(6)⌉ is checked inside.
        Assert.Equal(7, layout.Degree);
        Assert.Equal(6, layout.NumQuotients);
        Assert.Equal(5, layout.BlindingFactors);
        Assert.Equal(-6, layout.RotationLast);
        Assert.Equal(7, layout.NumPermutationZs);
        Assert.Equal(231, layout.NumEvals);
        Assert.Equal(35, layout.NumLookups);
    }

    [Fact]
    public void The_same_key_srs_and_instance_count_give_byte_identical_source()
    {
        var first = EvmVerifierGenerator.Generate(PinnedVerifyingKey.Parse(s_text.Value), s_srs.Value, 4);
        var second = EvmVerifier.FromPinnedVerifyingKey(s_text.Value, Srs.Load(TestPaths.Fixture("kzg")), 4);

        Assert.Equal(first.SoliditySource, second.SoliditySource);
        Assert.Equal(first.Abi, second.Abi);
        Assert.Equal("Halo2Verifier", first.ContractName);
        Assert.Equal(PinnedVerifyingKey.ComputeDigest(s_text.Value), first.VerifyingKeyDigest);
    }

    [Fact]
    public void The_source_depends_on_the_instance_count_and_the_srs()
    {
        var four = EvmVerifier.FromPinnedVerifyingKey(s_text.Value, s_srs.Value, 4);
        var five = EvmVerifier.FromPinnedVerifyingKey(s_text.Value, s_srs.Value, 5);
        var otherSrs = EvmVerifier.FromPinnedVerifyingKey(s_text.Value, Srs.Load(TestPaths.Fixture("kzg1.srs")), 4);

        Assert.NotEqual(four.SoliditySource, five.SoliditySource);
        Assert.NotEqual(four.SoliditySource, otherSrs.SoliditySource);
    }

    [Fact]
    public void The_instance_count_comes_from_the_settings()
    {
        var settings = CircuitSettings.Load(TestPaths.Fixture("settings.json"));

        var verifier = EvmVerifier.FromPinnedVerifyingKey(s_text.Value, s_srs.Value, settings);

        Assert.Equal(4, verifier.NumInstances);
    }

    [Fact]
    public void Generation_for_the_fixture_is_measured()
    {
        var key = PinnedVerifyingKey.Parse(s_text.Value);
        EvmVerifierGenerator.Generate(key, s_srs.Value, 4);
        var watch = Stopwatch.StartNew();

        var verifier = EvmVerifierGenerator.Generate(key, s_srs.Value, 4);

        // A measurement for the report, not an assertion on time.
        Console.WriteLine($"fixture verifier generated in {watch.Elapsed.TotalMilliseconds:F1} ms ({verifier.SoliditySource.Length:N0} characters)");
        Assert.Contains("function verifyProof(bytes calldata proof, uint256[] calldata instances)", verifier.SoliditySource, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("num_instance_columns: 1", "num_instance_columns: 2", "more than one instance column")]
    [InlineData("column_type: Instance }, Rotation(0))]", "column_type: Instance }, Rotation(1))]", "rotated instance queries")]
    [InlineData(", constants: [", ", shuffles: [Argument { input_expressions: [Advice { query_index: 0, column_index: 0, rotation: Rotation(0) }], shuffle_expressions: [Fixed { query_index: 0, column_index: 0, rotation: Rotation(0) }] }], constants: [", "shuffle")]
    [InlineData("num_selectors: 80, gates", "num_selectors: 80, num_challenges: 1, advice_column_phase: [Phase(0)], challenge_phase: [Phase(0)], gates", "challenges")]
    [InlineData("Fixed { query_index: 25, column_index: 25, rotation: Rotation(0) }, Sum(", "Selector(Selector(1, true)), Sum(", "selector")]
    public void An_unsupported_circuit_is_a_typed_error_that_says_why(string from, string to, string reason)
    {
        var text = s_text.Value;
        var at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, from);
        var key = PinnedVerifyingKey.Parse(text[..at] + to + text[(at + from.Length)..]);

        var error = Assert.Throws<EvmVerifierException>(() => EvmVerifierGenerator.Generate(key, s_srs.Value, 4));

        Assert.Equal(EvmVerifierFailure.UnsupportedCircuit, error.Failure);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<EzklException>(error);
    }

    [Fact]
    public void A_degree_that_contradicts_extended_k_is_a_malformed_key()
    {
        var key = PinnedVerifyingKey.Parse(s_text.Value.Replace("extended_k: 9", "extended_k: 10", StringComparison.Ordinal));

        var error = Assert.Throws<EvmVerifierException>(() => EvmVerifierGenerator.Generate(key, s_srs.Value, 4));

        Assert.Equal(EvmVerifierFailure.MalformedPinnedKey, error.Failure);
    }

    [Fact]
    public void A_negative_instance_count_is_invalid_input()
    {
        var error = Assert.Throws<EvmVerifierException>(() => EvmVerifier.FromPinnedVerifyingKey(s_text.Value, s_srs.Value, -1));

        Assert.Equal(EvmVerifierFailure.InvalidInput, error.Failure);
    }

    [Fact]
    public void A_malformed_string_given_to_the_public_entry_is_a_typed_error()
    {
        var error = Assert.Throws<EvmVerifierException>(() => EvmVerifier.FromPinnedVerifyingKey(s_text.Value[..5000], s_srs.Value, 4));

        Assert.Equal(EvmVerifierFailure.MalformedPinnedKey, error.Failure);
    }

    [Theory]
    [InlineData(24_576, true)]
    [InlineData(24_577, false)]
    public void The_code_size_verdict_says_plainly_whether_eip170_is_met(int size, bool fits)
    {
        Assert.Equal(fits, EvmVerifier.FitsEip170(size));
        Assert.Contains(fits ? "within" : "does NOT fit", EvmVerifier.DescribeRuntimeCodeSize(size), StringComparison.Ordinal);
    }
}
