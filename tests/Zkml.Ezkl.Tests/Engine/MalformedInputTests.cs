using Zkml.TestSupport;

namespace Zkml.Ezkl.Tests.Engine;

/// <summary>Bad input gives a typed EzklException with a useful message, and the engine keeps working afterwards.</summary>
[Collection(EngineCollection.Name)]
public sealed class MalformedInputTests(EngineFixture fixture)
{
    private EzklEngine Engine => fixture.Engine;

    [Fact]
    public async Task A_vk_truncated_to_1000_bytes_traps_inside_the_engine_and_the_engine_recovers()
    {
        var truncated = VerifyingKey.FromBytes(fixture.VerifyingKey.Bytes.Span[..1000]);
        var discardedBefore = Engine.PoolStatistics.Discarded;

        var trap = await Assert.ThrowsAsync<EzklEngineTrapException>(
            async () => await Engine.VerifyAsync(fixture.Proof, truncated, fixture.Settings, fixture.Srs));

        Assert.Equal("verify", trap.Operation);
        Assert.Contains("panicked", trap.EngineMessage);
        Assert.Equal(discardedBefore + 1, Engine.PoolStatistics.Discarded);
        await AssertEngineStillWorks();
    }

    [Fact]
    public async Task A_garbage_verifying_key_is_an_engine_error_not_a_crash()
    {
        var garbage = VerifyingKey.FromBytes(Enumerable.Range(0, 5127).Select(i => (byte)(i * 7)).ToArray());

        var error = await Assert.ThrowsAnyAsync<EzklEngineException>(
            async () => await Engine.VerifyAsync(fixture.Proof, garbage, fixture.Settings, fixture.Srs));

        Assert.False(string.IsNullOrWhiteSpace(error.EngineMessage));
        await AssertEngineStillWorks();
    }

    [Fact]
    public async Task A_truncated_proving_key_fails_prove_with_an_engine_error()
    {
        var truncated = ProvingKey.FromBytes(fixture.ProvingKey.Bytes.Span[..(fixture.ProvingKey.Length / 2)]);

        var error = await Assert.ThrowsAnyAsync<EzklEngineException>(
            async () => await Engine.ProveAsync(fixture.Witness, truncated, fixture.Circuit, fixture.Srs));

        Assert.Equal("prove", error.Operation);
        await AssertEngineStillWorks();
    }

    [Fact]
    public async Task An_input_of_the_wrong_shape_fails_gen_witness_with_the_engine_reason()
    {
        var wrongShape = ModelInput.FromValues([[1.0]]);

        var error = await Assert.ThrowsAsync<EzklEngineException>(
            async () => await Engine.GenerateWitnessAsync(fixture.Circuit, wrongShape));

        Assert.Contains("reshape", error.Message);
        await AssertEngineStillWorks();
    }

    [Fact]
    public async Task A_corrupted_compiled_circuit_fails_with_an_engine_error()
    {
        var bytes = fixture.Circuit.ToArray();
        for (var i = 8; i < bytes.Length; i += 3)
        {
            bytes[i] ^= 0x5a;
        }

        await Assert.ThrowsAnyAsync<EzklEngineException>(
            async () => await Engine.GenerateWitnessAsync(CompiledCircuit.FromBytes(bytes), fixture.Input));
        await Assert.ThrowsAsync<EzklInvalidArtifactException>(
            async () => await Engine.ValidateAsync(CompiledCircuit.FromBytes(bytes)));
        await AssertEngineStillWorks();
    }

    [Fact]
    public async Task An_srs_with_limbs_above_the_modulus_is_rejected_by_the_engine()
    {
        var bytes = fixture.Srs.ToArray();
        bytes.AsSpan(4, 64).Fill(0xff);
        var srs = Srs.FromBytes(bytes);

        var error = await Assert.ThrowsAsync<EzklInvalidArtifactException>(async () => await Engine.ValidateAsync(srs));
        Assert.Equal(ArtifactKind.Srs, error.ArtifactKind);
        await Assert.ThrowsAnyAsync<EzklEngineException>(async () => await Engine.SetupAsync(fixture.Circuit, srs));
        await AssertEngineStillWorks();
    }

    [Fact]
    public async Task Settings_missing_a_required_member_are_rejected_naming_it()
    {
        var settings = fixture.Settings.Clone();
        settings.AdditionalMembers = null;
        var json = System.Text.Json.Nodes.JsonNode.Parse(settings.ToJson())!;
        json["run_args"]!.AsObject().Remove("logrows");

        var local = Assert.Throws<EzklInvalidArtifactException>(() => CircuitSettings.Parse(json.ToJsonString()));
        Assert.Equal(ArtifactKind.Settings, local.ArtifactKind);
        Assert.Contains("logrows", local.Message);
        await AssertEngineStillWorks();
    }

    [Fact]
    public async Task Settings_the_engine_cannot_read_give_an_engine_error_naming_the_field()
    {
        var settings = fixture.Settings.Clone();
        settings.RunArgs.Commitment = "NotAScheme";

        var error = await Assert.ThrowsAsync<EzklEngineException>(
            async () => await Engine.VerifyAsync(fixture.Proof, fixture.VerifyingKey, settings, fixture.Srs));
        var validation = await Assert.ThrowsAsync<EzklInvalidArtifactException>(async () => await Engine.ValidateAsync(settings));

        Assert.Contains("NotAScheme", error.EngineMessage);
        Assert.Equal(ArtifactKind.Settings, validation.ArtifactKind);
        await AssertEngineStillWorks();
    }

    [Fact]
    public async Task An_srs_whose_k_differs_from_the_settings_logrows_is_refused_before_the_engine_runs()
    {
        var settings = fixture.Settings.Clone();
        settings.RunArgs.Logrows = 7;

        var error = await Assert.ThrowsAsync<EzklInvalidArtifactException>(
            async () => await Engine.VerifyAsync(fixture.Proof, fixture.VerifyingKey, settings, fixture.Srs));

        Assert.Equal(ArtifactKind.Srs, error.ArtifactKind);
        Assert.Contains("logrows = 7", error.Message);
    }

    [Fact]
    public async Task Valid_fixtures_pass_every_engine_validation()
    {
        await Engine.ValidateAsync(fixture.Settings);
        await Engine.ValidateAsync(fixture.Circuit);
        await Engine.ValidateAsync(fixture.Input);
        await Engine.ValidateAsync(fixture.Witness);
        await Engine.ValidateAsync(fixture.Proof);
        await Engine.ValidateAsync(fixture.VerifyingKey, fixture.Settings);
        await Engine.ValidateAsync(fixture.ProvingKey, fixture.Settings);
        await Engine.ValidateAsync(fixture.Srs);
    }

    private async Task AssertEngineStillWorks()
    {
        var witness = await Engine.GenerateWitnessAsync(fixture.Circuit, fixture.Input);
        Assert.Equal(File.ReadAllBytes(TestPaths.Fixture("witness.json")), witness.ToArray());
        var result = await Engine.VerifyAsync(fixture.Proof, fixture.VerifyingKey, fixture.Settings, fixture.Srs);
        Assert.True(result.IsValid, result.Reason);
    }
}
