using Zkml.Market;

namespace Zkml.OnChain.Tests;

public sealed class SolidityCompilerTests
{
    private const string Counter = """
        // SPDX-License-Identifier: MIT
        pragma solidity ^0.8.20;
        contract Counter {
            uint256 public count;
            function increment() external { count += 1; }
        }
        """;

    [Fact]
    public async Task Compiling_a_contract_gives_its_abi_and_both_bytecodes()
    {
        var contract = await new SolidityCompiler().CompileAsync(Counter);

        Assert.Equal("Counter", contract.Name);
        Assert.Contains("\"increment\"", contract.AbiJson, StringComparison.Ordinal);
        Assert.StartsWith("0.8.28", contract.CompilerVersion, StringComparison.Ordinal);
        Assert.NotEmpty(contract.DeployedBytecode);
        Assert.True(contract.CreationBytecode.Length > contract.DeployedBytecode.Length);
        // The init code returns the runtime code, which it carries verbatim.
        Assert.True(contract.CreationBytecode.AsSpan().IndexOf(contract.DeployedBytecode) > 0);
    }

    [Fact]
    public async Task Compiling_the_same_source_twice_gives_the_same_bytes()
    {
        var compiler = new SolidityCompiler();
        var first = await compiler.CompileAsync(Counter);
        var second = await compiler.CompileAsync(Counter);

        Assert.Equal(first.CreationBytecode, second.CreationBytecode);
        Assert.Equal(first.DeployedBytecode, second.DeployedBytecode);
    }

    [Fact]
    public async Task A_source_with_an_error_is_refused_with_solcs_message()
    {
        var error = await Assert.ThrowsAsync<SolidityCompilationException>(
            () => new SolidityCompiler().CompileAsync("pragma solidity ^0.8.20; contract Broken { function f() external { undefinedName(); } }"));

        Assert.False(error.IsCompilerMissing);
        Assert.Contains(error.Errors, e => e.Contains("undefinedName", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Asking_for_a_contract_the_source_lacks_names_the_ones_it_has()
    {
        var error = await Assert.ThrowsAsync<SolidityCompilationException>(() => new SolidityCompiler().CompileAsync(Counter, "Halo2Verifier"));

        Assert.Contains("Counter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_solc_module_is_a_typed_error_naming_the_option()
    {
        var compiler = new SolidityCompiler(new SolidityCompilerOptions { SolcModulePath = Path.Combine(Path.GetTempPath(), "no-such-solc") });

        var error = await Assert.ThrowsAsync<SolidityCompilationException>(() => compiler.CompileAsync(Counter));

        Assert.True(error.IsCompilerMissing);
        Assert.Contains("SolcModulePath", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_node_is_a_typed_error_naming_the_option()
    {
        var compiler = new SolidityCompiler(new SolidityCompilerOptions { NodePath = "/nonexistent/node" });

        var error = await Assert.ThrowsAsync<SolidityCompilationException>(() => compiler.CompileAsync(Counter));

        Assert.True(error.IsCompilerMissing);
        Assert.Contains("NodePath", error.Message, StringComparison.Ordinal);
    }
}
