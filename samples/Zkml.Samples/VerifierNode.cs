using System.Collections.Concurrent;
using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Zkml.Ezkl;
using Zkml.Market;
using Zkml.Storage;
using Zkml.Storage.Records;

namespace Zkml.Samples;

/// <summary>A fulfilment candidate a prover submits to the verifier committee.</summary>
/// <param name="RequestId">The market request (decimal).</param>
/// <param name="ProofKey">Where the proof is stored.</param>
/// <param name="ProofSha256">The proof's sha256 (the read is checked against it).</param>
public sealed record AttestationRequest(string RequestId, string ProofKey, string ProofSha256);

/// <summary>A committee member's answer.</summary>
/// <param name="Signer">The member's address.</param>
/// <param name="Signature">The 65-byte signature (0x hex) of the attestation digest; null when refused.</param>
/// <param name="Reason">Why the member refused; null when it signed.</param>
public sealed record AttestationResponse(string Signer, string? Signature, string? Reason);

/// <summary>
/// A verifier committee member: for a fulfilment candidate it reads the on-chain request, fetches the proof from
/// storage, checks that the proof's input instances match the request's input commitment, verifies the proof
/// with the real ezkl engine against the model's stored verifying key, and only then signs the EIP-712
/// attestation the model's AttestationVerifier checks.
/// </summary>
public sealed partial class VerifierNode(
    EzklEngine engine, IArtifactStore store, MarketRecordStore records, ProofMarketClient market, EthereumKey key, BigInteger chainId,
    ILogger<VerifierNode>? logger = null)
{
    private readonly ConcurrentDictionary<string, Task<ModelBundle>> _models = new();
    private readonly ILogger _logger = logger ?? NullLogger<VerifierNode>.Instance;

    /// <summary>This member's address.</summary>
    public EthereumAddress Address => key.Address;

    /// <summary>Checks a candidate and signs its attestation when the proof is valid.</summary>
    public async Task<AttestationResponse> AttestAsync(AttestationRequest candidate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        var request = await market.GetRequestAsync(BigInteger.Parse(candidate.RequestId), cancellationToken).ConfigureAwait(false);
        if (request.Status is not ProofRequestStatus.Locked)
        {
            return Refuse(candidate, $"request is {request.Status}, not locked (only its locker can fulfil it)");
        }

        var modelId = HexConverter.ToHex(request.ModelId);
        var model = await market.GetModelAsync(request.ModelId, cancellationToken).ConfigureAwait(false);
        var bundle = await _models.GetOrAdd(modelId, id => ModelBundle.LoadAsync(store, records, id, forProving: false, CancellationToken.None)).ConfigureAwait(false);

        Proof proof;
        try
        {
            var bytes = await store.ReadAllBytesAsync(candidate.ProofKey, cancellationToken).ConfigureAwait(false);
            if (ContentId.Sha256Hex(bytes) != candidate.ProofSha256)
            {
                return Refuse(candidate, "the stored proof is not the candidate's");
            }

            proof = Proof.FromBytes(bytes);
        }
        catch (Exception e) when (e is StorageException or EzklException)
        {
            return Refuse(candidate, "proof unreadable: " + e.Message);
        }

        var instances = ModelBundle.Instances(proof);
        if (instances.Length < model.InputInstanceCount
            || !ProofMarketClient.ComputeInstancesHash(instances.Take(model.InputInstanceCount)).AsSpan().SequenceEqual(request.InputCommitment))
        {
            return Refuse(candidate, "the proof's inputs do not match the request's input commitment");
        }

        var result = await engine.VerifyAsync(proof, bundle.VerifyingKey, bundle.CircuitSettings, bundle.Srs, cancellationToken).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return Refuse(candidate, "invalid proof: " + result.Reason);
        }

        // Bound to this request and its locker: the signature is worth nothing to anyone else.
        var signature = Attestation.Sign(key, chainId, model.Verifier, request.ModelId, market.Address, request.RequestId, request.Prover,
            proof.ProofBytes.Span, instances);
        Log.Signed(_logger, key.Address.ToString(), candidate.RequestId);
        return new AttestationResponse(key.Address.ToString(), HexConverter.ToHex(signature.ToBytes()), null);
    }

    private AttestationResponse Refuse(AttestationRequest candidate, string reason)
    {
        Log.Refused(_logger, key.Address.ToString(), candidate.RequestId, reason);
        return new AttestationResponse(key.Address.ToString(), null, reason);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "verifier {Member} signed request {RequestId}")]
        public static partial void Signed(ILogger logger, string member, string requestId);

        [LoggerMessage(2, LogLevel.Warning, "verifier {Member} refused request {RequestId}: {Reason}")]
        public static partial void Refused(ILogger logger, string member, string requestId, string reason);
    }
}
