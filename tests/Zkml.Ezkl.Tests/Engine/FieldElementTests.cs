using System.Numerics;
using System.Text;

namespace Zkml.Ezkl.Tests.Engine;

/// <summary>
/// ezkl's utility exports. Expected values were computed by the same engine (npm @ezkljs/engine 21.0.0) under Node.
/// </summary>
[Collection(EngineCollection.Name)]
public sealed class FieldElementTests(EngineFixture fixture)
{
    private EzklEngine Engine => fixture.Engine;

    [Fact]
    public async Task Poseidon_hash_of_one_and_two_matches_the_engine_under_node()
    {
        var hash = await Engine.PoseidonHashAsync([Felt.FromSignedInteger(1), Felt.FromSignedInteger(2)]);

        Assert.Equal("8c2bde792da25f9124562e03e8b5a4883b3eaf481bf6e15866f38a53315b8729", hash.ToLittleEndianHex());
    }

    [Fact]
    public async Task Float_to_felt_quantizes_at_the_scale_and_maps_negatives_to_r_minus_v()
    {
        Assert.Equal(Felt.FromSignedInteger(6), await Engine.FloatToFeltAsync(1.5, 2));
        var negative = await Engine.FloatToFeltAsync(-1.5, 2);
        Assert.Equal("fbffffef93f5e1439170b97948e833285d588181b64550b829a031e1724e6430", negative.ToLittleEndianHex());
        Assert.Equal(Felt.Modulus - 6, negative.Value);
    }

    [Fact]
    public async Task Felt_to_float_and_to_integer_invert_the_quantization()
    {
        Assert.Equal(1.5, await Engine.FeltToFloatAsync(Felt.FromSignedInteger(6), 2));
        Assert.Equal(new BigInteger(-6), await Engine.FeltToIntegerAsync(Felt.FromSignedInteger(-6)));
    }

    [Fact]
    public async Task Buffer_to_felts_packs_bytes_little_endian()
    {
        var felts = await Engine.BufferToFeltsAsync(Encoding.ASCII.GetBytes("hello world"));

        Assert.Equal("68656c6c6f20776f726c64000000000000000000000000000000000000000000", Assert.Single(felts).ToLittleEndianHex());
    }

    [Fact]
    public async Task Kzg_commit_of_one_matches_the_engine_under_node()
    {
        var commitments = await Engine.KzgCommitAsync([Felt.FromSignedInteger(1)], fixture.VerifyingKey, fixture.Settings, fixture.Srs);

        Assert.Equal("e9818b4e4666a42e4eb6a13ad69d8262cf26bcb89b8b7722a5cd389b100f8406", Assert.Single(commitments));
    }

    [Fact]
    public async Task Evm_calldata_is_a_verifyProof_call_with_the_proof_and_instances()
    {
        var calldata = await Engine.EncodeEvmCalldataAsync(fixture.Proof);
        var withVkAddress = await Engine.EncodeEvmCalldataAsync(fixture.Proof, new byte[20]);

        Assert.Equal("1e8e1e13", Convert.ToHexStringLower(calldata.AsSpan(0, 4))); // verifyProof(bytes,uint256[])
        Assert.Equal(15076, calldata.Length);
        Assert.Equal(15108, withVkAddress.Length); // the address word and its offset
        Assert.True(calldata.AsSpan().IndexOf(fixture.Proof.ProofBytes.Span) > 0);
    }

    [Fact]
    public async Task An_empty_poseidon_message_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await Engine.PoseidonHashAsync([]));
    }
}
