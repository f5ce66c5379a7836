using Zkml.Ezkl.Tests.Engine;

namespace Zkml.Ezkl.Tests.SrsTests;

/// <summary>SRS made here, used by the real ezkl engine: setup, prove and verify the fixture circuit (logrows 6).</summary>
[Collection(EngineCollection.Name)]
public sealed class SrsEngineTests(EngineFixture fixture)
{
    private EzklEngine Engine => fixture.Engine;

    [Fact]
    public async Task A_generated_k6_srs_runs_setup_prove_and_verify_of_the_fixture_circuit()
    {
        Assert.Equal(6, fixture.Settings.RunArgs.Logrows);
        Srs srs = await KzgSrs.GenerateUnsafeAsync(fixture.Settings.RunArgs.Logrows);

        VerificationResult result = await SetupProveVerifyAsync(srs);

        Assert.True(result.IsValid, result.Reason);
    }

    [Fact]
    public async Task A_generated_k8_srs_downsized_to_k6_proves_and_verifies_the_fixture()
    {
        Srs large = await KzgSrs.GenerateUnsafeAsync(8);
        Srs srs = await KzgSrs.DownsizeAsync(large, 6);

        VerificationResult result = await SetupProveVerifyAsync(srs);

        Assert.True(result.IsValid, result.Reason);
    }

    [Fact]
    public async Task The_engine_accepts_a_generated_srs_in_its_own_validation()
    {
        await Engine.ValidateAsync(await KzgSrs.GenerateUnsafeAsync(6));
    }

    [Fact]
    public async Task An_srs_with_the_wrong_root_of_unity_fails_verification()
    {
        Srs srs = Srs.FromBytes(await SrsTestData.FromTauAsync(6, 31337, rootGenerator: 5));

        VerificationResult result = await SetupProveVerifyAsync(srs);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task The_fixture_proof_fails_verification_against_an_srs_with_a_foreign_tau_g2()
    {
        // A well-formed [tau']G2 from another tau passes every structural check; only the pairing sees it.
        byte[] bytes = await File.ReadAllBytesAsync(SrsTestData.FixtureKzg);
        Srs foreign = await KzgSrs.GenerateUnsafeAsync(6);
        foreign.Bytes.Span[^128..].CopyTo(bytes.AsSpan(bytes.Length - 128));
        Srs tampered = Srs.FromBytes(bytes);
        Assert.Equal(6, await KzgSrs.ValidateAsync(tampered));

        VerificationResult result = await Engine.VerifyAsync(fixture.Proof, fixture.VerifyingKey, fixture.Settings, tampered);

        Assert.False(result.IsValid);
        VerificationResult control = await Engine.VerifyAsync(fixture.Proof, fixture.VerifyingKey, fixture.Settings, fixture.Srs);
        Assert.True(control.IsValid, control.Reason);
    }

    private async Task<VerificationResult> SetupProveVerifyAsync(Srs srs)
    {
        CircuitKeys keys = await Engine.SetupAsync(fixture.Circuit, srs);
        Witness witness = await Engine.GenerateWitnessAsync(fixture.Circuit, fixture.Input);
        Proof proof = await Engine.ProveAsync(witness, keys.ProvingKey, fixture.Circuit, srs);
        return await Engine.VerifyAsync(proof, keys.VerifyingKey, fixture.Settings, srs);
    }
}
