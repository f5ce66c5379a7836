using System.Text.Json;

namespace Zkml.Market;

/// <summary>One contract compiled by <see cref="SolidityCompiler"/>.</summary>
/// <param name="Name">The contract's name.</param>
/// <param name="AbiJson">Its ABI as solc writes it (a JSON array).</param>
/// <param name="CreationBytecode">The init code a deployment sends (constructor arguments are appended to it).</param>
/// <param name="DeployedBytecode">The runtime code the deployment leaves on chain (what <c>eth_getCode</c> returns).</param>
/// <param name="CompilerVersion">The solc version that compiled it.</param>
public sealed record CompiledContract(string Name, string AbiJson, byte[] CreationBytecode, byte[] DeployedBytecode, string CompilerVersion)
{
    /// <summary>EIP-170's limit on the runtime code of a contract: 24,576 bytes.</summary>
    public const int MaxRuntimeCodeSize = 24_576;

    /// <summary>The size of the runtime code in bytes.</summary>
    public int RuntimeCodeSize => DeployedBytecode.Length;

    /// <summary>True when the runtime code fits EIP-170's limit, so the contract deploys on a chain that enforces it.</summary>
    public bool FitsCodeSizeLimit => DeployedBytecode.Length <= MaxRuntimeCodeSize;

    /// <summary>The artifact layout <c>contracts/build.js</c> writes: <c>{ contractName, abi, bytecode, deployedBytecode }</c>.</summary>
    public string ToArtifactJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("contractName", Name);
            writer.WritePropertyName("abi");
            using (var abi = JsonDocument.Parse(AbiJson))
            {
                abi.RootElement.WriteTo(writer);
            }

            writer.WriteString("bytecode", HexConverter.ToHex(CreationBytecode));
            writer.WriteString("deployedBytecode", HexConverter.ToHex(DeployedBytecode));
            writer.WriteString("compiler", CompilerVersion);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
