using System.Numerics;
using Zkml.Market.Abi;
using Zkml.Market.Market;

namespace Zkml.Market;

/// <summary>
/// A typed client of an AttestationVerifier: the k-of-n committee of verifier nodes that stands in for on-chain SNARK
/// verification of one model. Committee management needs the owner as sender.
/// </summary>
public sealed class AttestationVerifierClient
{
    private readonly ContractInvoker _contract;

    /// <summary>Creates a client for the verifier at <paramref name="address"/>.</summary>
    public AttestationVerifierClient(EthereumRpcClient rpc, EthereumAddress address, TransactionSender? sender = null)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        _contract = new ContractInvoker(rpc, ContractInvoker.AttestationVerifierAbi, address, sender);
    }

    /// <summary>The verifier contract's address.</summary>
    public EthereumAddress Address => _contract.Address;

    /// <summary>Deploys an AttestationVerifier for one model.</summary>
    /// <param name="sender">The deploying account.</param>
    /// <param name="modelId">The model whose proofs the committee attests.</param>
    /// <param name="owner">Who manages the committee.</param>
    /// <param name="members">The initial committee.</param>
    /// <param name="threshold">Signatures needed (1..members).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public static async Task<AttestationVerifierClient> DeployAsync(
        TransactionSender sender, byte[] modelId, EthereumAddress owner, IReadOnlyList<EthereumAddress> members, int threshold,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sender);
        ArgumentNullException.ThrowIfNull(members);
        var address = await ContractInvoker.DeployAsync(
            sender,
            ContractInvoker.AttestationVerifierAbi,
            [AbiType.Parse("bytes32"), AbiType.Parse("address"), AbiType.Parse("address[]"), AbiType.Parse("uint256")],
            [modelId, owner, members.Cast<object?>().ToArray(), (BigInteger)threshold],
            cancellationToken).ConfigureAwait(false);
        return new AttestationVerifierClient(sender.Rpc, address, sender);
    }

    /// <summary>Adds a committee member (owner only).</summary>
    public Task<TransactionReceipt> AddMemberAsync(EthereumAddress member, CancellationToken cancellationToken = default) =>
        _contract.SendAsync("addMember", BigInteger.Zero, [member], cancellationToken);

    /// <summary>Removes a committee member (owner only; the threshold must stay reachable).</summary>
    public Task<TransactionReceipt> RemoveMemberAsync(EthereumAddress member, CancellationToken cancellationToken = default) =>
        _contract.SendAsync("removeMember", BigInteger.Zero, [member], cancellationToken);

    /// <summary>Sets the number of signatures an attestation needs (owner only).</summary>
    public Task<TransactionReceipt> SetThresholdAsync(int threshold, CancellationToken cancellationToken = default) =>
        _contract.SendAsync("setThreshold", BigInteger.Zero, [(BigInteger)threshold], cancellationToken);

    /// <summary>Hands committee management to another account (owner only).</summary>
    public Task<TransactionReceipt> TransferOwnershipAsync(EthereumAddress newOwner, CancellationToken cancellationToken = default) =>
        _contract.SendAsync("transferOwnership", BigInteger.Zero, [newOwner], cancellationToken);

    /// <summary>The committee.</summary>
    public async Task<IReadOnlyList<EthereumAddress>> GetMembersAsync(CancellationToken cancellationToken = default) =>
        AbiValue.List((await _contract.CallAsync("members", [], cancellationToken).ConfigureAwait(false))[0]).Select(AbiValue.Address).ToArray();

    /// <summary>The number of signatures an attestation needs.</summary>
    public async Task<int> GetThresholdAsync(CancellationToken cancellationToken = default) =>
        (int)AbiValue.Integer((await _contract.CallAsync("threshold", [], cancellationToken).ConfigureAwait(false))[0]);

    /// <summary>The committee's owner.</summary>
    public async Task<EthereumAddress> GetOwnerAsync(CancellationToken cancellationToken = default) =>
        AbiValue.Address((await _contract.CallAsync("owner", [], cancellationToken).ConfigureAwait(false))[0]);

    /// <summary>The model this verifier attests.</summary>
    public async Task<byte[]> GetModelIdAsync(CancellationToken cancellationToken = default) =>
        AbiValue.Bytes((await _contract.CallAsync("modelId", [], cancellationToken).ConfigureAwait(false))[0]);

    /// <summary>The EIP-712 domain separator the contract computes.</summary>
    public async Task<byte[]> GetDomainSeparatorAsync(CancellationToken cancellationToken = default) =>
        AbiValue.Bytes((await _contract.CallAsync("domainSeparator", [], cancellationToken).ConfigureAwait(false))[0]);

    /// <summary>The EIP-712 digest the contract computes for a proof hash and an instances hash.</summary>
    public async Task<byte[]> GetAttestationDigestAsync(byte[] proofHash, byte[] instancesHash, CancellationToken cancellationToken = default) =>
        AbiValue.Bytes((await _contract.CallAsync("attestationDigest", [proofHash, instancesHash], cancellationToken).ConfigureAwait(false))[0]);

    /// <summary>Runs verifyProof as a call: true when the quorum holds; a ContractRevertException names the reason otherwise.</summary>
    public async Task<bool> VerifyAsync(byte[] attestedProof, IReadOnlyList<BigInteger> instances, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instances);
        return AbiValue.Bool((await _contract.CallAsync("verifyProof", [attestedProof, instances.Cast<object?>().ToArray()], cancellationToken).ConfigureAwait(false))[0]);
    }
}

/// <summary>
/// EIP-712 attestations for verifier nodes: the typed data an AttestationVerifier checks, signing it, and packing a
/// SNARK proof with a quorum of signatures into the proof bytes the market forwards to the verifier.
/// </summary>
public static class Attestation
{
    /// <summary>The EIP-712 types of an attestation.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<TypedDataField>> Types { get; } =
        new Dictionary<string, IReadOnlyList<TypedDataField>>
        {
            ["Attestation"] =
            [
                new TypedDataField("modelId", "bytes32"),
                new TypedDataField("proofHash", "bytes32"),
                new TypedDataField("instancesHash", "bytes32"),
            ],
        };

    /// <summary>The EIP-712 domain of an AttestationVerifier contract.</summary>
    public static Eip712Domain Domain(BigInteger chainId, EthereumAddress verifier) =>
        new("Zkml AttestationVerifier", "1", chainId, verifier);

    /// <summary>The digest a committee member signs for a proof of a model with its public instances.</summary>
    public static byte[] Digest(BigInteger chainId, EthereumAddress verifier, byte[] modelId, ReadOnlySpan<byte> snarkProof, IEnumerable<BigInteger> instances) =>
        Eip712.Digest(Domain(chainId, verifier), "Attestation", Types, new Dictionary<string, object?>
        {
            ["modelId"] = modelId,
            ["proofHash"] = Keccak256.Hash(snarkProof),
            ["instancesHash"] = ProofMarketClient.ComputeInstancesHash(instances),
        });

    /// <summary>Signs an attestation (a verifier node calls this after verifying the proof itself).</summary>
    public static EthereumSignature Sign(EthereumKey member, BigInteger chainId, EthereumAddress verifier, byte[] modelId, ReadOnlySpan<byte> snarkProof, IEnumerable<BigInteger> instances)
    {
        ArgumentNullException.ThrowIfNull(member);
        return member.Sign(Digest(chainId, verifier, modelId, snarkProof, instances));
    }

    /// <summary>
    /// The proof bytes for fulfil: abi.encode(snarkProof, signatures) with the 65-byte signatures ordered by signer
    /// address, as the contract requires. Signatures are ordered by the signer they recover to from
    /// <paramref name="digest"/>; they are not deduplicated or checked against the committee here.
    /// </summary>
    public static byte[] EncodeProof(byte[] snarkProof, ReadOnlySpan<byte> digest, IEnumerable<EthereumSignature> signatures)
    {
        ArgumentNullException.ThrowIfNull(signatures);
        var hash = digest.ToArray();
        var ordered = signatures.OrderBy(s => s.RecoverSigner(hash)).Select(s => s.ToBytes());
        var packed = Bytes.Concat(ordered);
        return AbiType.EncodeParameters([AbiType.Parse("bytes"), AbiType.Parse("bytes")], [snarkProof, packed]);
    }
}
