using System.Numerics;
using Zkml.Ezkl.Evm;

namespace Zkml.EvmVerifier.Tests;

/// <summary>
/// Generated verifiers, compiled by solc-js and deployed on live anvil, judge the engine's real proofs: true for
/// the proof as the engine encodes it, a revert for any change to it.
/// </summary>
[Collection(VerifierCollection.Name)]
public sealed class GeneratedVerifierTests(VerifierFixture fixture, Xunit.Abstractions.ITestOutputHelper output)
{
    public static TheoryData<string> Circuits => [VerifierFixture.Fixture, VerifierFixture.Mlp, VerifierFixture.Sigmoid, VerifierFixture.Cnn, VerifierFixture.HashedOutput];

    [Theory]
    [MemberData(nameof(Circuits))]
    public async Task The_verifier_accepts_the_engines_proof_with_the_engines_calldata(string circuit)
    {
        var c = await fixture.GetAsync(circuit);

        var result = await c.Contract.VerifyCalldataAsync(c.EngineCalldata, estimateGas: true);

        Assert.True(result.IsValid, result.Reason);
        output.WriteLine(
            $"{circuit}: k = {c.Key.K}, {c.NumInstances} instances, proof {c.Proof.Length} B, runtime code {c.Compiled.RuntimeCodeSize:N0} B, " +
            $"verification gas {result.GasUsed:N0}, generation {c.Verifier.GenerationTime.TotalMilliseconds:F1} ms (measurements)");
        output.WriteLine(Ezkl.EvmVerifier.DescribeRuntimeCodeSize(c.Compiled.RuntimeCodeSize));
    }

    [Theory]
    [MemberData(nameof(Circuits))]
    public async Task The_verifier_fits_the_eip170_limit_and_is_deployed_as_compiled(string circuit)
    {
        var c = await fixture.GetAsync(circuit);

        Assert.True(c.Compiled.FitsCodeSizeLimit, Ezkl.EvmVerifier.DescribeRuntimeCodeSize(c.Compiled.RuntimeCodeSize));
        Assert.True(Ezkl.EvmVerifier.FitsEip170(c.Compiled.RuntimeCodeSize));
        Assert.Equal(c.Compiled.DeployedBytecode, await c.Contract.GetRuntimeCodeAsync());
    }

    [Theory]
    [MemberData(nameof(Circuits))]
    public async Task The_calldata_is_the_proof_and_instances_abi_encoded(string circuit)
    {
        var c = await fixture.GetAsync(circuit);

        Assert.Equal(c.EngineCalldata, VerifierCase.Call(c.Proof, c.Instances));
        Assert.Equal(c.Verifier.ProofLength, c.Proof.Length);
        Assert.Equal(c.NumInstances, c.Instances.Count);
    }

    [Theory]
    [MemberData(nameof(Circuits))]
    public async Task A_flipped_byte_in_an_advice_commitment_reverts(string circuit) =>
        await AssertRejectedAsync(circuit, (c, proof, _) => proof[c.Layout.AdviceCommitments - EvmCircuitLayout.ProofOffset + 31] ^= 0x01);

    [Theory]
    [MemberData(nameof(Circuits))]
    public async Task Two_swapped_advice_commitments_revert(string circuit) =>
        await AssertRejectedAsync(circuit, (c, proof, _) => Swap(proof, c.Layout.AdviceCommitments - EvmCircuitLayout.ProofOffset, c.Layout.AdviceCommitments - EvmCircuitLayout.ProofOffset + 0x40, 0x40));

    [Theory]
    [MemberData(nameof(Circuits))]
    public async Task A_flipped_byte_in_an_evaluation_reverts(string circuit) =>
        await AssertRejectedAsync(circuit, (c, proof, _) => proof[c.Layout.AdviceEvals - EvmCircuitLayout.ProofOffset + 31] ^= 0x01);

    [Theory]
    [MemberData(nameof(Circuits))]
    public async Task A_flipped_byte_in_a_lookup_evaluation_reverts(string circuit) =>
        await AssertRejectedAsync(circuit, (c, proof, _) => proof[c.Layout.LookupEval(0, 2) - EvmCircuitLayout.ProofOffset + 31] ^= 0x01);

    [Theory]
    [MemberData(nameof(Circuits))]
    public async Task A_flipped_byte_in_w_reverts(string circuit) =>
        await AssertRejectedAsync(circuit, (c, proof, _) => proof[c.Layout.W - EvmCircuitLayout.ProofOffset + 31] ^= 0x01);

    [Theory]
    [MemberData(nameof(Circuits))]
    public async Task A_flipped_byte_in_w_prime_reverts(string circuit) =>
        await AssertRejectedAsync(circuit, (c, proof, _) => proof[c.Layout.WPrime - EvmCircuitLayout.ProofOffset + 31] ^= 0x01);

    [Theory]
    [MemberData(nameof(Circuits))]
    public async Task W_and_w_prime_swapped_revert(string circuit) =>
        await AssertRejectedAsync(circuit, (c, proof, _) => Swap(proof, c.Layout.W - EvmCircuitLayout.ProofOffset, c.Layout.WPrime - EvmCircuitLayout.ProofOffset, 0x40));

    [Theory]
    [MemberData(nameof(Circuits))]
    public async Task A_changed_instance_reverts(string circuit) =>
        await AssertRejectedAsync(circuit, (_, _, instances) => instances[^1] = (instances[^1] + 1) % Ezkl.Evm.PinnedVerifyingKey.ScalarModulus);

    [Theory]
    [MemberData(nameof(Circuits))]
    public async Task An_instance_not_below_the_field_modulus_reverts(string circuit) =>
        await AssertRejectedAsync(circuit, (_, _, instances) => instances[0] += Ezkl.Evm.PinnedVerifyingKey.ScalarModulus);

    [Theory]
    [MemberData(nameof(Circuits))]
    public async Task A_proof_32_bytes_short_reverts(string circuit)
    {
        var c = await fixture.GetAsync(circuit);

        await AssertRevertsAsync(c, VerifierCase.Call(c.Proof.AsSpan(0, c.Proof.Length - 32), c.Instances));
    }

    [Theory]
    [MemberData(nameof(Circuits))]
    public async Task A_proof_32_bytes_long_reverts(string circuit)
    {
        var c = await fixture.GetAsync(circuit);

        await AssertRevertsAsync(c, VerifierCase.Call([.. c.Proof, .. new byte[32]], c.Instances));
    }

    [Theory]
    [MemberData(nameof(Circuits))]
    public async Task One_instance_too_many_or_too_few_reverts(string circuit)
    {
        var c = await fixture.GetAsync(circuit);

        await AssertRevertsAsync(c, VerifierCase.Call(c.Proof, [.. c.Instances, BigInteger.One]));
        await AssertRevertsAsync(c, VerifierCase.Call(c.Proof, c.Instances.Take(c.Instances.Count - 1).ToList()));
    }

    [Theory]
    [InlineData(VerifierFixture.Mlp, VerifierFixture.Sigmoid)]
    [InlineData(VerifierFixture.Sigmoid, VerifierFixture.Cnn)]
    [InlineData(VerifierFixture.Cnn, VerifierFixture.Mlp)]
    [InlineData(VerifierFixture.Fixture, VerifierFixture.Mlp)]
    [InlineData(VerifierFixture.HashedOutput, VerifierFixture.Mlp)]
    public async Task Another_circuits_proof_reverts(string verifierCircuit, string proofCircuit)
    {
        var verifier = await fixture.GetAsync(verifierCircuit);
        var other = await fixture.GetAsync(proofCircuit);

        await AssertRevertsAsync(verifier, other.EngineCalldata);
    }

    [Fact]
    public async Task A_proof_of_another_circuit_with_the_same_shape_reverts()
    {
        // The same MLP with other weights: same columns, lengths and instance count, another verifying key.
        var c = await fixture.GetAsync(VerifierFixture.Mlp);
        var text = c.Key.Text;
        Assert.Equal(c.Proof.Length, c.Verifier.ProofLength);

        // A different vk digest alone must break verification of the real proof.
        var changed = text.Replace("minimum_degree: None", "minimum_degree: Some(1)", StringComparison.Ordinal);
        Assert.NotEqual(text, changed);
        var other = EvmVerifierGenerator.Generate(PinnedVerifyingKey.Parse(changed), c.Srs, c.NumInstances);
        var compiled = await fixture.Solc.CompileAsync(other.SoliditySource, other.ContractName);
        var sender = new Market.TransactionSender(fixture.Rpc, Market.EthereumKey.FromHex(TestSupport.DevChain.Accounts[1].PrivateKey));
        var contract = await Market.ProofVerifierContract.DeployAsync(sender, compiled);

        var result = await contract.VerifyCalldataAsync(c.EngineCalldata);

        Assert.False(result.IsValid);
    }

    private static void Swap(byte[] proof, int a, int b, int length)
    {
        var tmp = proof.AsSpan(a, length).ToArray();
        proof.AsSpan(b, length).CopyTo(proof.AsSpan(a, length));
        tmp.CopyTo(proof.AsSpan(b, length));
    }

    private async Task AssertRejectedAsync(string circuit, Action<CaseView, byte[], List<BigInteger>> tamper)
    {
        var c = await fixture.GetAsync(circuit);
        var proof = c.Proof.ToArray();
        var instances = c.Instances.ToList();
        tamper(new CaseView(new EvmCircuitLayout(c.Key, c.NumInstances)), proof, instances);
        Assert.False(proof.SequenceEqual(c.Proof) && instances.SequenceEqual(c.Instances), "the tampering changed nothing");

        await AssertRevertsAsync(c, VerifierCase.Call(proof, instances));
    }

    private static async Task AssertRevertsAsync(VerifierCase c, byte[] calldata)
    {
        var result = await c.Contract.VerifyCalldataAsync(calldata);

        Assert.False(result.IsValid);
        Assert.Contains("revert", result.Reason, StringComparison.OrdinalIgnoreCase);
    }

    internal sealed record CaseView(EvmCircuitLayout Layout);
}
