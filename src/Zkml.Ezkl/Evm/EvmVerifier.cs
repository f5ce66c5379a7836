using System.Numerics;

namespace Zkml.Ezkl;

/// <summary>
/// A generated Halo2 Solidity verifier: the contract's source, name and ABI, and what it was generated for.
/// Compile it with solc (optimizer on, EVM version cancun or later) and call <c>verifyProof(bytes,uint256[])</c>
/// with the engine's calldata: it returns true for a valid proof and reverts otherwise.
/// </summary>
public sealed class EvmVerifier
{
    /// <summary>EIP-170's limit on a contract's runtime code: 24,576 bytes.</summary>
    public const int MaxRuntimeCodeSize = 24_576;

    internal EvmVerifier(string contractName, string soliditySource, string abi, BigInteger vkDigest, int proofLength, int numInstances, TimeSpan generationTime)
    {
        ContractName = contractName;
        SoliditySource = soliditySource;
        Abi = abi;
        VerifyingKeyDigest = vkDigest;
        ProofLength = proofLength;
        NumInstances = numInstances;
        GenerationTime = generationTime;
    }

    /// <summary>The contract to deploy from <see cref="SoliditySource"/>.</summary>
    public string ContractName { get; }

    /// <summary>The Solidity source (one file, one contract).</summary>
    public string SoliditySource { get; }

    /// <summary>The contract's ABI as JSON (one function, <c>verifyProof(bytes proof, uint256[] instances) view returns (bool)</c>).</summary>
    public string Abi { get; }

    /// <summary>halo2's transcript digest of the verifying key, the first value the verifier hashes.</summary>
    public BigInteger VerifyingKeyDigest { get; }

    /// <summary>The exact proof length in bytes the verifier accepts.</summary>
    public int ProofLength { get; }

    /// <summary>The number of public instances the verifier expects.</summary>
    public int NumInstances { get; }

    /// <summary>How long generation took (solc excluded).</summary>
    public TimeSpan GenerationTime { get; }

    /// <summary>
    /// Generates the verifier from halo2's pinned verifying key string (<c>format!("{:?}", vk.pinned())</c>, as the
    /// engine leaves it in memory), without an engine. The string is parsed, not trusted: compare
    /// <see cref="VerifyingKeyDigest"/> with the key's digest when it comes from elsewhere.
    /// </summary>
    /// <param name="pinnedVerifyingKey">The pinned key string.</param>
    /// <param name="srs">The KZG parameters of the circuit (g[0], g2 and s·g2 are embedded).</param>
    /// <param name="numInstances">How many public instances a proof carries.</param>
    /// <exception cref="EvmVerifierException">The string is malformed, the circuit uses an unsupported feature, or the inputs do not fit.</exception>
    public static EvmVerifier FromPinnedVerifyingKey(string pinnedVerifyingKey, Srs srs, int numInstances) =>
        Evm.EvmVerifierGenerator.Generate(Evm.PinnedVerifyingKey.Parse(pinnedVerifyingKey), srs, numInstances);

    /// <summary>
    /// Generates the verifier from the pinned key string, with the instance count of the circuit's settings
    /// (Σ Π model instance shapes + Poseidon module instances).
    /// </summary>
    /// <exception cref="EvmVerifierException">The string is malformed, the circuit uses an unsupported feature, or the inputs do not fit.</exception>
    public static EvmVerifier FromPinnedVerifyingKey(string pinnedVerifyingKey, Srs srs, CircuitSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return FromPinnedVerifyingKey(pinnedVerifyingKey, srs, EzklEngine.CountEvmInstances(settings));
    }

    /// <summary>True when runtime code of this size can be deployed on a chain that enforces EIP-170.</summary>
    public static bool FitsEip170(int runtimeCodeSize) => runtimeCodeSize <= MaxRuntimeCodeSize;

    /// <summary>A sentence on the runtime code size, saying plainly whether it fits EIP-170.</summary>
    public static string DescribeRuntimeCodeSize(int runtimeCodeSize) =>
        FitsEip170(runtimeCodeSize)
            ? $"The verifier's runtime code is {runtimeCodeSize:N0} bytes, within EIP-170's {MaxRuntimeCodeSize:N0}-byte limit."
            : $"The verifier's runtime code is {runtimeCodeSize:N0} bytes: it does NOT fit EIP-170's {MaxRuntimeCodeSize:N0}-byte limit, so Ethereum mainnet and most chains will refuse to deploy it (a dev chain needs its code-size limit lifted). Use fewer columns or a smaller circuit.";
}
