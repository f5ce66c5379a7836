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

    /// <summary>
    /// Proposes a new committee (owner only); anyone may apply it after the contract's delay (31 days, longer than any
    /// request). The members are sent in address order, as the contract requires.
    /// </summary>
    public Task<TransactionReceipt> ProposeCommitteeAsync(IReadOnlyCollection<EthereumAddress> members, int threshold, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(members);
        return _contract.SendAsync("proposeCommittee", BigInteger.Zero, [members.Order().Cast<object?>().ToArray(), (BigInteger)threshold], cancellationToken);
    }

    /// <summary>Withdraws the pending committee proposal (owner only).</summary>
    public Task<TransactionReceipt> CancelCommitteeChangeAsync(CancellationToken cancellationToken = default) =>
        _contract.SendAsync("cancelCommitteeChange", BigInteger.Zero, [], cancellationToken);

    /// <summary>Applies the pending committee once its delay has passed (anyone).</summary>
    public Task<TransactionReceipt> ApplyCommitteeChangeAsync(CancellationToken cancellationToken = default) =>
        _contract.SendAsync("applyCommitteeChange", BigInteger.Zero, [], cancellationToken);

    /// <summary>The pending committee proposal, or null when there is none.</summary>
    public async Task<PendingCommittee?> GetPendingCommitteeAsync(CancellationToken cancellationToken = default)
    {
        var r = await _contract.CallAsync("pendingCommittee", [], cancellationToken).ConfigureAwait(false);
        var applicableAt = AbiValue.Integer(r[2]);
        return applicableAt.IsZero
            ? null
            : new PendingCommittee(AbiValue.List(r[0]).Select(AbiValue.Address).ToArray(), (int)AbiValue.Integer(r[1]),
                DateTimeOffset.FromUnixTimeSeconds((long)applicableAt));
    }

    /// <summary>Starts handing committee management to another account (owner only); it takes over when it accepts.</summary>
    public Task<TransactionReceipt> TransferOwnershipAsync(EthereumAddress newOwner, CancellationToken cancellationToken = default) =>
        _contract.SendAsync("transferOwnership", BigInteger.Zero, [newOwner], cancellationToken);

    /// <summary>Completes an ownership transfer (the pending owner only).</summary>
    public Task<TransactionReceipt> AcceptOwnershipAsync(CancellationToken cancellationToken = default) =>
        _contract.SendAsync("acceptOwnership", BigInteger.Zero, [], cancellationToken);

    /// <summary>The account a transfer of ownership waits for (zero when none).</summary>
    public async Task<EthereumAddress> GetPendingOwnerAsync(CancellationToken cancellationToken = default) =>
        AbiValue.Address((await _contract.CallAsync("pendingOwner", [], cancellationToken).ConfigureAwait(false))[0]);

    /// <summary>
    /// Packs the fulfil proof from whatever signatures a committee returned: keeps those that recover from
    /// <paramref name="digest"/> to a current member (a malformed, foreign or duplicate signature is dropped, not
    /// fatal), and takes the contract's current threshold of them, in signer order.
    /// </summary>
    /// <exception cref="InsufficientAttestationsException">Fewer valid member signatures than the threshold.</exception>
    public async Task<byte[]> PackQuorumAsync(
        byte[] snarkProof, byte[] digest, IEnumerable<EthereumSignature> signatures, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snarkProof);
        ArgumentNullException.ThrowIfNull(digest);
        ArgumentNullException.ThrowIfNull(signatures);
        var members = (await GetMembersAsync(cancellationToken).ConfigureAwait(false)).ToHashSet();
        var threshold = await GetThresholdAsync(cancellationToken).ConfigureAwait(false);
        var valid = new SortedDictionary<EthereumAddress, EthereumSignature>();
        foreach (var signature in signatures)
        {
            EthereumAddress signer;
            try
            {
                signer = signature.RecoverSigner(digest);
            }
            catch (EthereumFormatException)
            {
                continue;
            }

            if (members.Contains(signer) && signature.S <= EthereumKey.Order / 2)
            {
                valid.TryAdd(signer, signature);
            }
        }

        return valid.Count >= threshold
            ? Attestation.EncodeProof(snarkProof, digest, valid.Values.Take(threshold))
            : throw new InsufficientAttestationsException(valid.Count, threshold);
    }

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

    /// <summary>The EIP-712 digest the contract computes for a proof of one request by one prover in one market.</summary>
    public async Task<byte[]> GetAttestationDigestAsync(
        EthereumAddress market, BigInteger requestId, EthereumAddress prover, byte[] proofHash, byte[] instancesHash, CancellationToken cancellationToken = default) =>
        AbiValue.Bytes((await _contract.CallAsync("attestationDigest", [market, requestId, prover, proofHash, instancesHash], cancellationToken)
            .ConfigureAwait(false))[0]);

    /// <summary>
    /// Runs the contract's attestation check as a call for a market, request and prover: true when the quorum holds; a
    /// ContractRevertException names the reason otherwise.
    /// </summary>
    public async Task<bool> VerifyAsync(
        byte[] attestedProof, IReadOnlyList<BigInteger> instances, EthereumAddress market, BigInteger requestId, EthereumAddress prover,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instances);
        return AbiValue.Bool((await _contract.CallAsync("verifyAttestation",
            [attestedProof, instances.Cast<object?>().ToArray(), market, requestId, prover], cancellationToken).ConfigureAwait(false))[0]);
    }
}

/// <summary>A committee change waiting for its delay.</summary>
/// <param name="Members">The proposed members, in address order.</param>
/// <param name="Threshold">The proposed threshold.</param>
/// <param name="ApplicableAt">When it may be applied.</param>
public sealed record PendingCommittee(IReadOnlyList<EthereumAddress> Members, int Threshold, DateTimeOffset ApplicableAt);

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
                new TypedDataField("market", "address"),
                new TypedDataField("requestId", "uint256"),
                new TypedDataField("prover", "address"),
                new TypedDataField("proofHash", "bytes32"),
                new TypedDataField("instancesHash", "bytes32"),
            ],
        };

    /// <summary>The EIP-712 domain of an AttestationVerifier contract.</summary>
    public static Eip712Domain Domain(BigInteger chainId, EthereumAddress verifier) =>
        new("Zkml AttestationVerifier", "2", chainId, verifier);

    /// <summary>
    /// The digest a committee member signs for a proof of a model with its public instances, bound to one request of one
    /// market and to the prover (the request's locker) that will fulfil it.
    /// </summary>
    public static byte[] Digest(
        BigInteger chainId, EthereumAddress verifier, byte[] modelId, EthereumAddress market, BigInteger requestId, EthereumAddress prover,
        ReadOnlySpan<byte> snarkProof, IEnumerable<BigInteger> instances) =>
        Eip712.Digest(Domain(chainId, verifier), "Attestation", Types, new Dictionary<string, object?>
        {
            ["modelId"] = modelId,
            ["market"] = market,
            ["requestId"] = requestId,
            ["prover"] = prover,
            ["proofHash"] = Keccak256.Hash(snarkProof),
            ["instancesHash"] = ProofMarketClient.ComputeInstancesHash(instances),
        });

    /// <summary>Signs an attestation (a verifier node calls this after verifying the proof itself).</summary>
    public static EthereumSignature Sign(
        EthereumKey member, BigInteger chainId, EthereumAddress verifier, byte[] modelId, EthereumAddress market, BigInteger requestId,
        EthereumAddress prover, ReadOnlySpan<byte> snarkProof, IEnumerable<BigInteger> instances)
    {
        ArgumentNullException.ThrowIfNull(member);
        return member.Sign(Digest(chainId, verifier, modelId, market, requestId, prover, snarkProof, instances));
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
