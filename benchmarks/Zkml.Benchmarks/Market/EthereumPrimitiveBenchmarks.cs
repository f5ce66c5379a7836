using System.Numerics;
using BenchmarkDotNet.Attributes;
using Zkml.Market;
using Zkml.Market.Abi;

namespace Zkml.Benchmarks.Market;

/// <summary>
/// The Ethereum primitives a verifier node and a provider run per proof: hashing a proof-sized buffer, signing and
/// recovering an attestation, encoding the fulfil call, signing an EIP-1559 transaction.
/// <c>dotnet run -c Release --project benchmarks/Zkml.Benchmarks -- --filter '*EthereumPrimitive*'</c>
/// </summary>
[MemoryDiagnoser]
public class EthereumPrimitiveBenchmarks
{
    private readonly byte[] _proof = new byte[14_816]; // the size of the ezkl 21.0.0 fixture proof
    private readonly BigInteger[] _instances = [1, 2, 3, 4];
    private readonly EthereumKey _key = EthereumKey.FromHex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    private readonly EthereumAddress _verifier = EthereumAddress.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    private readonly byte[] _modelId = Keccak256.Hash("model");
    private byte[] _digest = [];
    private EthereumSignature _signature;
    private AbiMember _fulfil = null!;

    /// <summary>Fills the inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        new Random(1).NextBytes(_proof);
        _digest = Attestation.Digest(31337, _verifier, _modelId, _verifier, 1, _verifier, _proof, _instances);
        _signature = _key.Sign(_digest);
        _fulfil = new AbiMember("function", "fulfil",
            [new("requestId", AbiType.Parse("uint256"), false), new("proof", AbiType.Parse("bytes"), false),
             new("instances", AbiType.Parse("uint256[]"), false), new("proofUri", AbiType.Parse("string"), false)], []);
    }

    /// <summary>keccak256 of a 14.8 KB proof.</summary>
    [Benchmark]
    public byte[] KeccakProof() => Keccak256.Hash(_proof);

    /// <summary>The EIP-712 attestation digest (hashes the proof too).</summary>
    [Benchmark]
    public byte[] AttestationDigest() => Attestation.Digest(31337, _verifier, _modelId, _verifier, 1, _verifier, _proof, _instances);

    /// <summary>secp256k1 signing with RFC 6979 and recovery id.</summary>
    [Benchmark]
    public EthereumSignature Sign() => _key.Sign(_digest);

    /// <summary>Signer recovery (what ecrecover does on chain).</summary>
    [Benchmark]
    public EthereumAddress Recover() => _signature.RecoverSigner(_digest);

    /// <summary>ABI encoding of fulfil(requestId, proof, instances, uri).</summary>
    [Benchmark]
    public byte[] EncodeFulfil() => _fulfil.EncodeCall(BigInteger.One, _proof, _instances.Cast<object?>().ToArray(), "s3://proofs/1.json");

    /// <summary>Signing an EIP-1559 transaction that carries the fulfil call.</summary>
    [Benchmark]
    public byte[] SignFulfilTransaction() =>
        new Eip1559Transaction(31337, 7, 1_000_000_000, 3_000_000_000, 700_000, _verifier, 0, _proof).Sign(_key);
}
