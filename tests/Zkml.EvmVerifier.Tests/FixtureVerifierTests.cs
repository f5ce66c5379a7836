using System.Numerics;
using Zkml.Ezkl;
using Zkml.Ezkl.Evm;
using Zkml.Market;
using Zkml.TestSupport;

namespace Zkml.EvmVerifier.Tests;

public sealed class FixtureVerifierTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Scratch_fixture()
    {
        var vk = PinnedVerifyingKey.Parse(File.ReadAllText(TestPaths.Fixture("pinned-vk.txt")));
        var srs = Srs.Load(TestPaths.Fixture("kzg"));
        var verifier = EvmVerifierGenerator.Generate(vk, srs, 4);
        File.WriteAllText("/tmp/evm-fixture.sol", verifier.SoliditySource);
        output.WriteLine($"generated in {verifier.GenerationTime.TotalMilliseconds} ms, proof {verifier.ProofLength}");
        var compiler = new SolidityCompiler();
        var compiled = await compiler.CompileAsync(verifier.SoliditySource, verifier.ContractName);
        output.WriteLine($"runtime {compiled.RuntimeCodeSize}");
        using var anvil = await UnlimitedAnvil.StartAsync();
        using var rpc = new EthereumRpcClient(anvil.Url);
        var sender = new TransactionSender(rpc, EthereumKey.FromHex(DevChain.Accounts[0].PrivateKey));
        var contract = await ProofVerifierContract.DeployAsync(sender, compiled);
        await using var engine = await EzklEngine.CreateAsync(new EzklEngineOptions { MaxInstances = 1 });
        var proof = Proof.Load(TestPaths.Fixture("proof.json"));
        var calldata = await engine.EncodeEvmCalldataAsync(proof);
        var result = await contract.VerifyCalldataAsync(calldata, estimateGas: true);
        output.WriteLine($"valid {result.IsValid} {result.Reason} gas {result.GasUsed}");
        Assert.True(result.IsValid);
    }
}
