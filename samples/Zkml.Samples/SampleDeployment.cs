using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zkml.Samples;

/// <summary>
/// What the provider wrote when it deployed the market and registered its model (deployment.json in the data
/// directory): the client and the verifier node read it to find the chain, the market and the model.
/// </summary>
public sealed record SampleDeployment
{
    /// <summary>The file name inside a data directory.</summary>
    public const string FileName = "deployment.json";

    /// <summary>JSON-RPC endpoint of the chain.</summary>
    public required string RpcUrl { get; init; }

    /// <summary>The chain id.</summary>
    public required long ChainId { get; init; }

    /// <summary>The ProofMarket contract.</summary>
    public required string MarketAddress { get; init; }

    /// <summary>The block the market was deployed in (where event indexing starts).</summary>
    public required long DeploymentBlock { get; init; }

    /// <summary>The registered model's id (0x keccak256 of its verifying key), once onboarded.</summary>
    public string? ModelId { get; init; }

    /// <summary>The model's verifier contract (its Halo2 verifier or its committee's AttestationVerifier), once onboarded.</summary>
    public string? VerifierAddress { get; init; }

    /// <summary>How the market checks the model's proofs (what <see cref="VerifierAddress"/> is).</summary>
    public ProofVerification Verification { get; init; } = ProofVerification.Attestation;

    /// <summary>Reads a deployment file; null when absent.</summary>
    public static SampleDeployment? TryLoad(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<SampleDeployment>(File.ReadAllBytes(path), SampleJson.Options) : null;
    }

    /// <summary>Writes the file atomically.</summary>
    public void Save(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var path = Path.Combine(dataDirectory, FileName);
        var temp = path + ".tmp";
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(this, SampleJson.Options));
        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>JSON settings shared by the samples: camelCase, enums as strings, indented.</summary>
public static class SampleJson
{
    /// <summary>The options.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };
}

/// <summary>The standard anvil development accounts and the role each plays in the samples.</summary>
public static class DevAccounts
{
    /// <summary>The first ten standard anvil/hardhat development keys (public test keys, funded on anvil).</summary>
    public static readonly string[] Keys =
    [
        "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
        "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
        "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
        "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
        "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
        "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
        "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
        "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
    ];

    /// <summary>Deploys the market and the committee contracts.</summary>
    public static string Deployer => Keys[0];

    /// <summary>The model provider.</summary>
    public static string Provider => Keys[1];

    /// <summary>The client that pays for proofs (the CLI and the host's demo form).</summary>
    public static string Client => Keys[2];

    /// <summary>A second client (the end-to-end tests).</summary>
    public static string OtherClient => Keys[3];

    /// <summary>The verifier committee (2 of 3 sign).</summary>
    public static string[] Committee => [Keys[4], Keys[5], Keys[6]];
}

/// <summary>Wei helpers.</summary>
public static class Wei
{
    /// <summary>10^-3 ether in wei.</summary>
    public static BigInteger Milli(int milliEther) => BigInteger.Pow(10, 15) * milliEther;
}
