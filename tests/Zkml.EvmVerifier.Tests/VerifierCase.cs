using System.Numerics;
using Zkml.Ezkl;
using Zkml.Ezkl.Evm;
using Zkml.Market;

namespace Zkml.EvmVerifier.Tests;

/// <summary>One circuit with a real proof, its generated verifier compiled by solc and deployed on anvil.</summary>
internal sealed record VerifierCase(
    string Name,
    PinnedVerifyingKey Key,
    Srs Srs,
    int NumInstances,
    byte[] Proof,
    IReadOnlyList<BigInteger> Instances,
    byte[] EngineCalldata,
    Ezkl.EvmVerifier Verifier,
    CompiledContract Compiled,
    ProofVerifierContract Contract)
{
    /// <summary>ABI-encoded <c>verifyProof(proof, instances)</c>.</summary>
    public static byte[] Call(ReadOnlySpan<byte> proof, IReadOnlyList<BigInteger> instances) =>
        ProofVerifierContract.EncodeVerifyProofCall(proof, instances);

    /// <summary>Splits the engine's calldata (selector, offsets, proof, instances) into its proof and instances.</summary>
    public static (byte[] Proof, List<BigInteger> Instances) Decode(byte[] calldata)
    {
        var body = calldata[4..];
        BigInteger Word(int at) => new(body.AsSpan(at, 32), isUnsigned: true, isBigEndian: true);
        var proofAt = (int)Word(0);
        var instancesAt = (int)Word(32);
        var proofLength = (int)Word(proofAt);
        var proof = body.AsSpan(proofAt + 32, proofLength).ToArray();
        var count = (int)Word(instancesAt);
        var instances = Enumerable.Range(0, count).Select(i => Word(instancesAt + 32 + (32 * i))).ToList();
        return (proof, instances);
    }

    public override string ToString() => Name;
}
