using System.Numerics;
using Xunit.Abstractions;
using Zkml.Market;

namespace Zkml.OnChain.Tests;

/// <summary>The generated verifier of a circuit built from ONNX, deployed on anvil and asked with eth_call.</summary>
[Collection(OnChainCollection.Name)]
public sealed class GeneratedVerifierTests(OnChainFixture chain, ITestOutputHelper output)
{
    [Theory]
    [InlineData("mlp")]
    [InlineData("sigmoid")]
    [InlineData("cnn")]
    public async Task The_verifier_accepts_the_engines_proof_with_the_engines_calldata(string name)
    {
        var circuit = await chain.CircuitAsync(name);

        var result = await circuit.Contract.VerifyCalldataAsync(circuit.EngineCalldata, estimateGas: true);

        Assert.True(result.IsValid, result.Reason);
        output.WriteLine($"{circuit.Name}: k {circuit.Settings.RunArgs.Logrows}, runtime code {circuit.Compiled.RuntimeCodeSize:N0} bytes, " +
            $"verification gas {result.GasUsed:N0}, deployment gas {circuit.Contract.Deployment!.GasUsed:N0}, " +
            $"extraction + generation {circuit.ExtractionAndGeneration.TotalMilliseconds:0} ms (generation {circuit.Verifier.GenerationTime.TotalMilliseconds:0} ms)");
    }

    [Fact]
    public async Task The_market_client_encodes_the_same_calldata_as_the_engine()
    {
        var circuit = await chain.MlpAsync();

        Assert.Equal(circuit.EngineCalldata, ProofVerifierContract.EncodeVerifyProofCall(circuit.Proof.ProofBytes.Span, circuit.Instances));
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("sigmoid")]
    [InlineData("cnn")]
    public async Task The_small_circuits_verifier_fits_the_default_code_size_limit(string name)
    {
        var circuit = await chain.CircuitAsync(name);

        Assert.True(circuit.Compiled.FitsCodeSizeLimit, $"{circuit.Compiled.RuntimeCodeSize} bytes");
        Assert.Equal(circuit.Compiled.DeployedBytecode, await circuit.Contract.GetRuntimeCodeAsync());
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("sigmoid")]
    [InlineData("cnn")]
    public async Task A_changed_instance_is_rejected(string name)
    {
        var circuit = await chain.CircuitAsync(name);
        var instances = circuit.Instances;
        instances[0] += 1;

        var result = await circuit.Contract.VerifyProofAsync(circuit.Proof.ProofBytes, instances);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task Another_circuits_proof_is_rejected()
    {
        var mlp = await chain.MlpAsync();
        var cnn = await chain.CircuitAsync("cnn");

        Assert.False((await mlp.Contract.VerifyCalldataAsync(cnn.EngineCalldata)).IsValid);
        Assert.False((await cnn.Contract.VerifyCalldataAsync(mlp.EngineCalldata)).IsValid);
    }

    [Fact]
    public async Task A_proof_32_bytes_short_is_rejected()
    {
        var circuit = await chain.MlpAsync();

        var result = await circuit.Contract.VerifyProofAsync(circuit.Proof.ProofBytes[..^32], circuit.Instances);

        Assert.False(result.IsValid);
    }

    [Fact]
    public async Task Regenerating_the_verifier_gives_the_deployed_bytes()
    {
        var circuit = await chain.MlpAsync();

        var again = await chain.Engine.CreateEvmVerifierAsync(circuit.VerifyingKey, circuit.Settings, circuit.Srs);
        var compiled = await chain.Compiler.CompileAsync(again.SoliditySource, again.ContractName);

        Assert.Equal(circuit.Verifier.SoliditySource, again.SoliditySource);
        Assert.True(await circuit.Contract.HasRuntimeCodeOfAsync(compiled));
    }
}
