namespace Zkml.Market;

/// <summary>Options of <see cref="SolidityCompiler"/>.</summary>
public sealed class SolidityCompilerOptions
{
    /// <summary>The Node.js executable: a path, or a name looked up on PATH. Default <c>node</c>.</summary>
    public string NodePath { get; set; } = "node";

    /// <summary>
    /// The folder of the solc-js npm package (the one holding its <c>package.json</c>). Null looks for the solc the
    /// project pins: <c>$ZKML_SOLC_MODULE</c>, then <c>contracts/node_modules/solc</c> in the current directory, the
    /// application's directory or any folder above them.
    /// </summary>
    public string? SolcModulePath { get; set; }

    /// <summary>The EVM version to compile for. Default <c>cancun</c>.</summary>
    public string EvmVersion { get; set; } = "cancun";

    /// <summary>Whether the optimizer runs. Default true.</summary>
    public bool Optimize { get; set; } = true;

    /// <summary>
    /// The optimizer's expected number of runs. Default 1, as ezkl compiles its verifiers: the smallest code, which
    /// matters for verifiers near EIP-170's 24,576-byte limit.
    /// </summary>
    public int OptimizerRuns { get; set; } = 1;

    /// <summary>How long one compilation may take before it is stopped. Default 5 minutes.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);
}
