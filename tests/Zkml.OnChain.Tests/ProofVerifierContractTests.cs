using System.Numerics;
using Zkml.Market;

namespace Zkml.OnChain.Tests;

/// <summary>
/// The verifier client against a hand-written verifier with ezkl's interface (the generated Halo2 verifiers are tested
/// elsewhere): accepts a proof whose first byte equals the first instance, returns false
/// when they differ, and reverts with no data (as a Halo2 verifier does) on an empty proof.
/// </summary>
[Collection(OnChainCollection.Name)]
public sealed class ProofVerifierContractTests(OnChainFixture chain)
{
    private const string Source = """
        // SPDX-License-Identifier: MIT
        pragma solidity ^0.8.20;
        contract ToyVerifier {
            function verifyProof(bytes calldata proof, uint256[] calldata instances) external pure returns (bool) {
                if (proof.length == 0) { assembly { revert(0, 0) } }
                return uint8(proof[0]) == instances[0];
            }
        }
        """;

    private async Task<(ProofVerifierContract Verifier, CompiledContract Compiled)> DeployAsync()
    {
        var compiled = await chain.Compiler.CompileAsync(Source);
        return (await ProofVerifierContract.DeployAsync(chain.Deployer, compiled), compiled);
    }

    [Fact]
    public async Task An_accepted_proof_is_valid_and_its_gas_is_measured()
    {
        var (verifier, _) = await DeployAsync();

        var result = await verifier.VerifyProofAsync(new byte[] { 7, 1 }, [new BigInteger(7)], estimateGas: true);

        Assert.True(result.IsValid);
        Assert.InRange(result.GasUsed!.Value, 21_000, 100_000);
    }

    [Fact]
    public async Task A_verifier_returning_false_gives_an_invalid_result()
    {
        var (verifier, _) = await DeployAsync();

        var result = await verifier.VerifyProofAsync(new byte[] { 7 }, [new BigInteger(8)]);

        Assert.False(result.IsValid);
        Assert.Contains("false", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_verifier_reverting_without_data_gives_an_invalid_result_not_an_exception()
    {
        var (verifier, _) = await DeployAsync();

        var result = await verifier.VerifyProofAsync(ReadOnlyMemory<byte>.Empty, [BigInteger.One]);

        Assert.False(result.IsValid);
        Assert.Contains("reverted", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_deployed_runtime_code_is_the_compiled_runtime_code()
    {
        var (verifier, compiled) = await DeployAsync();

        Assert.Equal(compiled.DeployedBytecode, await verifier.GetRuntimeCodeAsync());
        Assert.True(await verifier.HasRuntimeCodeOfAsync(compiled));
        Assert.NotNull(verifier.Deployment);
    }

    [Fact]
    public async Task A_verifier_over_eip170s_limit_is_refused_by_the_chain_with_a_typed_error()
    {
        // 25,000 bytes of data in the runtime code: over the 24,576 bytes anvil enforces by default.
        var data = string.Concat(Enumerable.Range(0, 25_000).Select(i => (i * 7 % 251).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
        var compiled = await chain.Compiler.CompileAsync($$"""
            // SPDX-License-Identifier: MIT
            pragma solidity ^0.8.20;
            contract Huge {
                function verifyProof(bytes calldata, uint256[] calldata) external pure returns (bool) {
                    bytes memory table = hex"{{data}}";
                    return table.length > 0;
                }
            }
            """);
        Assert.False(compiled.FitsCodeSizeLimit);

        var error = await Assert.ThrowsAsync<ContractTooLargeException>(() => ProofVerifierContract.DeployAsync(chain.Deployer, compiled));

        Assert.Equal(compiled.RuntimeCodeSize, error.RuntimeCodeSize);
        Assert.Contains("EIP-170", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Asking_an_address_without_code_is_an_error_not_a_verdict()
    {
        var nowhere = new ProofVerifierContract(chain.Rpc, EthereumAddress.Parse("0x00000000000000000000000000000000000000ee"));

        await Assert.ThrowsAsync<MarketException>(() => nowhere.VerifyProofAsync(new byte[] { 1 }, [BigInteger.One]));
    }

    [Fact]
    public async Task An_unreachable_node_is_an_rpc_exception()
    {
        using var dead = new EthereumRpcClient(new Uri("http://127.0.0.1:9"), new EthereumRpcOptions { MaxRetries = 0 });
        var verifier = new ProofVerifierContract(dead, EthereumAddress.Parse("0x00000000000000000000000000000000000000ee"));

        await Assert.ThrowsAsync<RpcException>(() => verifier.VerifyProofAsync(new byte[] { 1 }, [BigInteger.One]));
    }

    [Fact]
    public void The_call_encoding_uses_ezkls_selector()
    {
        var call = ProofVerifierContract.EncodeVerifyProofCall(new byte[] { 0xaa }, [BigInteger.One]);

        Assert.Equal(Convert.FromHexString("1e8e1e13"), call[..4]);
        Assert.Equal(4 + (32 * 6), call.Length); // two offsets, bytes length + one word, array length + one word
    }
}
