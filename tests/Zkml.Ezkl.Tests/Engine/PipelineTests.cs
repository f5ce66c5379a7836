using System.Text.Json.Nodes;
using Zkml.TestSupport;

namespace Zkml.Ezkl.Tests.Engine;

/// <summary>The ezkl pipeline on the v21.0.0 fixtures, checked against the bytes the official engine made under Node.</summary>
[Collection(EngineCollection.Name)]
public sealed class PipelineTests(EngineFixture fixture)
{
    private EzklEngine Engine => fixture.Engine;

    [Fact]
    public async Task Gen_witness_reproduces_the_fixture_witness_byte_for_byte()
    {
        var witness = await Engine.GenerateWitnessAsync(fixture.Circuit, fixture.Input);

        Assert.Equal(File.ReadAllBytes(TestPaths.Fixture("witness.json")), witness.ToArray());
    }

    [Fact]
    public async Task Setup_reproduces_the_fixture_keys_byte_for_byte()
    {
        var keys = await Engine.SetupAsync(fixture.Circuit, fixture.Srs);

        Assert.Equal(File.ReadAllBytes(TestPaths.Fixture("vk.key")), keys.VerifyingKey.ToArray());
        Assert.Equal(File.ReadAllBytes(TestPaths.Fixture("pk.key")), keys.ProvingKey.ToArray());
    }

    [Fact]
    public async Task The_fixture_proof_verifies()
    {
        var result = await Engine.VerifyAsync(fixture.Proof, fixture.VerifyingKey, fixture.Settings, fixture.Srs);

        Assert.True(result.IsValid, result.Reason);
    }

    [Fact]
    public async Task A_new_proof_verifies_and_carries_the_witness_outputs_as_instances()
    {
        var witness = await Engine.GenerateWitnessAsync(fixture.Circuit, fixture.Input);

        var proof = await Engine.ProveAsync(witness, fixture.ProvingKey, fixture.Circuit, fixture.Srs);
        var result = await Engine.VerifyAsync(proof, fixture.VerifyingKey, fixture.Settings, fixture.Srs);

        Assert.True(result.IsValid, result.Reason);
        Assert.NotEqual(fixture.Proof.ProofBytes.ToArray(), proof.ProofBytes.ToArray()); // proofs are randomized
        Assert.Equal(witness.Outputs.SelectMany(o => o), proof.Instances.SelectMany(i => i)); // output is the only public part
    }

    [Fact]
    public async Task A_proof_with_one_flipped_byte_is_reported_invalid_with_a_reason()
    {
        var tampered = Tamper(fixture.Proof, json =>
        {
            var bytes = json["proof"]!.AsArray();
            bytes[100] = (int)bytes[100]!.GetValue<int>() ^ 1;
        });

        var result = await Engine.VerifyAsync(tampered, fixture.VerifyingKey, fixture.Settings, fixture.Srs);

        Assert.False(result.IsValid);
        Assert.Contains("Verification failed", result.Reason);
        Assert.Throws<EzklVerificationException>(result.ThrowIfInvalid);
    }

    [Fact]
    public async Task A_proof_with_a_changed_public_output_is_reported_invalid()
    {
        var tampered = Tamper(fixture.Proof, json =>
            json["instances"]![0]![0] = Felt.FromSignedInteger(1).ToLittleEndianHex());

        var result = await Engine.VerifyAsync(tampered, fixture.VerifyingKey, fixture.Settings, fixture.Srs);

        Assert.False(result.IsValid);
        Assert.Contains("not satisfied", result.Reason);
    }

    internal static Proof Tamper(Proof proof, Action<JsonNode> change)
    {
        var json = JsonNode.Parse(proof.Bytes.Span)!;
        change(json);
        return Proof.FromBytes(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()));
    }
}
