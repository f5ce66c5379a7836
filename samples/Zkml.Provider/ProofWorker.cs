using System.Diagnostics;
using System.Numerics;
using System.Threading.Channels;
using Zkml.Ezkl;
using Zkml.Market;
using Zkml.Samples;
using Zkml.Storage;
using Zkml.Storage.Records;

namespace Zkml.Provider;

/// <summary>
/// The provider's worker. It follows the market's events from a persisted cursor and runs each request of its
/// model through a persisted state machine: Requested → (input fetched and checked against its commitment) →
/// Locked → Proving → proof stored → (committee attestations, for a committee-verified model) → Fulfilled, or Failed / Refunded. Every transition
/// is written to the request's record and to the proof log (the audit trail) before the next step, and every
/// on-chain step first reads the request's on-chain state, so a provider killed at any point finishes each
/// request exactly once after restart.
/// </summary>
public sealed partial class ProofWorker(ProviderRuntime runtime, ILogger<ProofWorker> logger) : BackgroundService
{
    private const string CursorKey = "provider/cursor.txt";
    private const int MaxAttempts = 3;
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>();

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Resume what a previous run left half done.
        await foreach (var record in runtime.Requests.ListAsync(stoppingToken))
        {
            if (record.Status is RequestStatus.Requested or RequestStatus.Locked or RequestStatus.Proving)
            {
                Log.Resuming(logger, record.RequestId, record.Status);
                _queue.Writer.TryWrite(record.RequestId);
            }
        }

        await Task.WhenAll(FollowEventsAsync(stoppingToken), ProcessQueueAsync(stoppingToken));
    }

    private async Task FollowEventsAsync(CancellationToken cancellationToken)
    {
        var cursor = await ReadCursorAsync(cancellationToken);
        var indexer = new RequestIndexer(runtime.Market, new RequestIndexerOptions
        {
            StartBlock = runtime.Deployment.DeploymentBlock,
            PollingInterval = TimeSpan.FromMilliseconds(250),
        });
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await foreach (var e in indexer.StreamAsync(cursor, cancellationToken))
                {
                    await OnEventAsync(e, cancellationToken);
                    cursor = e.Cursor;
                    await runtime.Store.PutAsync(CursorKey, System.Text.Encoding.UTF8.GetBytes(cursor.Value.ToString()), cancellationToken: cancellationToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.EventLoopFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    private async Task<EventCursor?> ReadCursorAsync(CancellationToken cancellationToken)
    {
        try
        {
            return EventCursor.Parse(System.Text.Encoding.UTF8.GetString(await runtime.Store.ReadAllBytesAsync(CursorKey, cancellationToken)));
        }
        catch (ArtifactNotFoundException)
        {
            return null;
        }
    }

    private async Task OnEventAsync(MarketEvent e, CancellationToken cancellationToken)
    {
        var model = runtime.Model!;
        switch (e)
        {
            case ProofRequestedEvent requested when HexConverter.ToHex(requested.ModelId) == model.ModelId:
                var id = requested.RequestId.ToString();
                if (await runtime.Requests.GetAsync(id, cancellationToken) is null)
                {
                    var block = await runtime.Rpc.GetBlockAsync(requested.Cursor.BlockNumber, cancellationToken);
                    var record = new RequestRecord
                    {
                        RequestId = id,
                        ModelId = model.ModelId,
                        Requester = requested.Requester.ToString(),
                        Status = RequestStatus.Requested,
                        PriceWei = requested.Payment.ToString(),
                        InputCommitment = HexConverter.ToHex(requested.InputCommitment),
                        InputUri = requested.InputUri,
                        Txs = new RequestTransactions { Request = requested.TransactionHash },
                        CreatedAt = DateTimeOffset.FromUnixTimeSeconds(block.Timestamp),
                        Deadline = requested.Deadline,
                    };
                    if (await runtime.Requests.CreateAsync(record, r => AuditAsync(r, proved: false, cancellationToken), cancellationToken))
                    {
                        Log.Seen(logger, id, requested.Payment.ToString());
                    }
                }

                _queue.Writer.TryWrite(id);
                break;

            case RequestFulfilledEvent fulfilled:
                await UpdateAsync(fulfilled.RequestId.ToString(), async r => r.Status == RequestStatus.Fulfilled && r.Txs.Fulfil is not null ? null : r with
                {
                    Status = RequestStatus.Fulfilled,
                    OutputCommitment = HexConverter.ToHex(fulfilled.OutputCommitment),
                    ProofUri = fulfilled.ProofUri,
                    Txs = r.Txs with { Fulfil = fulfilled.TransactionHash },
                    SettledAt = r.SettledAt ?? await BlockTimeAsync(fulfilled.Cursor.BlockNumber, cancellationToken),
                }, cancellationToken);
                break;

            case RequestRefundedEvent refunded:
                await UpdateAsync(refunded.RequestId.ToString(), async r => r.Status == RequestStatus.Refunded ? null : r with
                {
                    Status = RequestStatus.Refunded,
                    Txs = r.Txs with { Refund = refunded.TransactionHash },
                    SettledAt = await BlockTimeAsync(refunded.Cursor.BlockNumber, cancellationToken),
                }, cancellationToken);
                break;
        }
    }

    private async Task<DateTimeOffset> BlockTimeAsync(long block, CancellationToken cancellationToken) =>
        DateTimeOffset.FromUnixTimeSeconds((await runtime.Rpc.GetBlockAsync(block, cancellationToken)).Timestamp);

    private async Task ProcessQueueAsync(CancellationToken cancellationToken)
    {
        var failures = new Dictionary<string, int>();
        await foreach (var id in _queue.Reader.ReadAllAsync(cancellationToken))
        {
            try
            {
                await ProcessAsync(id, cancellationToken);
                failures.Remove(id);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // A step that threw (an RPC or storage hiccup) is retried from the persisted state a few times.
                var count = failures[id] = failures.GetValueOrDefault(id) + 1;
                Log.StepFailed(logger, id, count, e);
                if (count < MaxAttempts)
                {
                    _ = Task.Delay(TimeSpan.FromSeconds(2 * count), cancellationToken)
                        .ContinueWith(_ => _queue.Writer.TryWrite(id), TaskScheduler.Default);
                }
                else
                {
                    failures.Remove(id);
                    await FailAsync(id, e.Message, cancellationToken);
                }
            }
        }
    }

    /// <summary>Runs one request from its persisted state to a terminal state.</summary>
    private async Task ProcessAsync(string id, CancellationToken cancellationToken)
    {
        var record = await runtime.Requests.GetAsync(id, cancellationToken);
        if (record is null || record.Status is RequestStatus.Fulfilled or RequestStatus.Refunded or RequestStatus.Failed)
        {
            return;
        }

        var requestId = BigInteger.Parse(id);
        var market = runtime.Market;
        var me = runtime.ProviderSender.Address;
        var onChain = await market.GetRequestAsync(requestId, cancellationToken);
        if (onChain.Status is ProofRequestStatus.Fulfilled or ProofRequestStatus.Refunded)
        {
            // Settled while this process was away (or by another prover): the event handler records the details.
            await UpdateAsync(id, r => Task.FromResult<RequestRecord?>(r with
            {
                Status = onChain.Status == ProofRequestStatus.Fulfilled ? RequestStatus.Fulfilled : RequestStatus.Refunded,
            }), cancellationToken);
            return;
        }

        var now = await runtime.ChainNowAsync(cancellationToken);
        var model = runtime.Model!;

        // 1. Fetch the input and check it against the on-chain commitment before risking collateral.
        ModelInput input;
        try
        {
            var inputKey = StoreUri.KeyOf(record.InputUri);
            var bytes = await runtime.Store.ReadAllBytesAsync(inputKey, cancellationToken);
            input = ModelInput.FromBytes(bytes);
            // The input's reference is recorded once; a resumed request already has it.
            if (record.Input is null && await runtime.Store.HeadAsync(inputKey, cancellationToken) is { } props)
            {
                runtime.RememberArtifact(props.Ref);
                record = await UpdateAsync(id, r => Task.FromResult<RequestRecord?>(r with { Input = props.Ref }), cancellationToken, audit: false) ?? record;
            }
        }
        catch (Exception e) when (e is StorageException or EzklException or FormatException)
        {
            await FailAsync(id, "input unavailable: " + e.Message, cancellationToken);
            return;
        }

        var values = input.InputData[0];
        var commitment = values.Count == model.InputCount ? await model.InputCommitmentAsync(runtime.Engine, values, cancellationToken) : null;
        if (commitment is null || !commitment.AsSpan().SequenceEqual(onChain.InputCommitment))
        {
            await FailAsync(id, "the stored input does not match the request's input commitment", cancellationToken);
            return;
        }

        // 2. Lock (once).
        if (onChain.Status == ProofRequestStatus.Open)
        {
            if (onChain.Deadline - now < TimeSpan.FromSeconds(runtime.Options.MinSecondsBeforeDeadline))
            {
                await FailAsync(id, $"too close to its deadline ({(onChain.Deadline - now).TotalSeconds:F0} s left) to take", cancellationToken);
                return;
            }

            var receipt = await market.LockAsync(requestId, cancellationToken);
            record = await UpdateAsync(id, r => Task.FromResult<RequestRecord?>(r with
            {
                Status = RequestStatus.Locked,
                Txs = r.Txs with { Lock = receipt.TransactionHash },
                GasUsed = r.GasUsed with { Lock = (long)receipt.GasUsed },
            }), cancellationToken) ?? record;
            Log.Locked(logger, id, receipt.TransactionHash);
        }
        else if (onChain.Prover != me)
        {
            await FailAsync(id, $"locked by another prover ({onChain.Prover})", cancellationToken);
            return;
        }

        // 3. Prove (again, if a previous run died before the proof was stored).
        Proof proof;
        if (record.Proof is { } storedProof)
        {
            proof = Proof.FromBytes(await runtime.Store.ReadAllBytesAsync(storedProof.Key, cancellationToken));
        }
        else
        {
            record = await UpdateAsync(id, r => Task.FromResult<RequestRecord?>(r with { Status = RequestStatus.Proving, ProveAttempts = r.ProveAttempts + 1 }), cancellationToken) ?? record;
            await HoldWhileFileExistsAsync(runtime.Options.HoldProvingWhileFileExists, cancellationToken);
            var clock = Stopwatch.StartNew();
            var witness = await runtime.Engine.GenerateWitnessAsync(model.Circuit!, input, cancellationToken);
            proof = await runtime.Engine.ProveAsync(witness, model.ProvingKey!, model.Circuit!, model.Srs, cancellationToken: cancellationToken);
            var proveMs = clock.ElapsedMilliseconds;
            var proofRef = await runtime.Store.PutContentAddressedAsync(proof.Bytes, "proofs/", new ArtifactPutOptions { ContentType = "application/json" }, cancellationToken);
            runtime.RememberArtifact(proofRef);
            var outputs = model.Outputs(proof);
            record = await UpdateAsync(id, r => Task.FromResult<RequestRecord?>(r with
            {
                Proof = proofRef,
                ProofUri = StoreUri.For(proofRef.Key),
                Outputs = outputs,
                ProveMs = proveMs,
            }), cancellationToken, proved: true) ?? record;
            Log.Proved(logger, id, proveMs, proofRef.Key);
        }

        // 4. Fulfil: with the proof itself when the model's Halo2 verifier checks it on chain (asked first with an
        //    eth_call, so a proof it rejects fails the request instead of a transaction), else with the committee's attestations.
        var instances = ModelBundle.Instances(proof);
        byte[] fulfilment;
        if (runtime.Deployment.Verification == ProofVerification.Halo2)
        {
            var check = await new ProofVerifierContract(runtime.Rpc, runtime.ModelInfo!.Verifier).VerifyProofAsync(proof.ProofBytes, instances, cancellationToken: cancellationToken);
            if (!check.IsValid)
            {
                await FailAsync(id, "the model's on-chain verifier rejects the proof: " + check.Reason, cancellationToken);
                return;
            }

            fulfilment = proof.ProofBytes.ToArray();
        }
        else
        {
            var answer = await runtime.Committee.AttestAsync(new AttestationRequest(id, record.Proof!.Key, record.Proof.Sha256), cancellationToken);
            if (answer.Signatures.Count < runtime.Options.Threshold)
            {
                await FailAsync(id, "the committee refused: " + string.Join("; ", answer.Refusals), cancellationToken);
                return;
            }

            var digest = Attestation.Digest(runtime.ChainId, runtime.ModelInfo!.Verifier, HexConverter.FromHex(model.ModelId), market.Address, requestId, me,
                proof.ProofBytes.Span, instances);
            // Only signatures that recover to current members count; the contract's threshold decides how many.
            fulfilment = await new AttestationVerifierClient(runtime.Rpc, runtime.ModelInfo!.Verifier)
                .PackQuorumAsync(proof.ProofBytes.ToArray(), digest, answer.Signatures, cancellationToken);
        }

        if ((await market.GetRequestAsync(requestId, cancellationToken)).Status == ProofRequestStatus.Fulfilled)
        {
            return; // fulfilled meanwhile; the event records it
        }

        var fulfil = await market.FulfilAsync(requestId, fulfilment, instances, record.ProofUri!, cancellationToken);
        var fulfilledEvent = market.DecodeEvents(fulfil).OfType<RequestFulfilledEvent>().FirstOrDefault();
        var settledAt = await BlockTimeAsync(fulfil.BlockNumber, cancellationToken);
        await UpdateAsync(id, r => Task.FromResult<RequestRecord?>(r with
        {
            Status = RequestStatus.Fulfilled,
            OutputCommitment = fulfilledEvent is null ? r.OutputCommitment : HexConverter.ToHex(fulfilledEvent.OutputCommitment),
            Txs = r.Txs with { Fulfil = fulfil.TransactionHash },
            GasUsed = r.GasUsed with { Fulfil = (long)fulfil.GasUsed },
            SettledAt = settledAt,
        }), cancellationToken);
        Log.Fulfilled(logger, id, fulfil.TransactionHash, (long)fulfil.GasUsed);
    }

    private Task FailAsync(string id, string reason, CancellationToken cancellationToken)
    {
        Log.Failed(logger, id, reason);
        return UpdateAsync(id, r => Task.FromResult<RequestRecord?>(
            r.Status is RequestStatus.Fulfilled or RequestStatus.Refunded ? null : r with { Status = RequestStatus.Failed, Error = reason }), cancellationToken);
    }

    /// <summary>Reads, changes (null: no change) and writes a record, logging the transition in the proof log first.</summary>
    private Task<RequestRecord?> UpdateAsync(
        string id, Func<RequestRecord, Task<RequestRecord?>> change, CancellationToken cancellationToken, bool audit = true, bool proved = false) =>
        runtime.Requests.UpdateAsync(id, change, async (current, next) =>
        {
            if (audit && (next.Status != current.Status || next.ProveAttempts != current.ProveAttempts || proved))
            {
                await AuditAsync(next, proved, cancellationToken);
            }
        }, cancellationToken);

    /// <summary>The test hook <see cref="ProviderOptions.HoldProvingWhileFileExists"/>: waits while the file exists.</summary>
    private static async Task HoldWhileFileExistsAsync(string? path, CancellationToken cancellationToken)
    {
        while (path is not null && File.Exists(path))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    private async Task AuditAsync(RequestRecord record, bool proved, CancellationToken cancellationToken)
    {
        var status = proved ? ProofStatus.Proved : record.Status switch
        {
            RequestStatus.Requested => ProofStatus.Requested,
            RequestStatus.Locked => ProofStatus.Locked,
            RequestStatus.Proving => ProofStatus.Proving,
            RequestStatus.Fulfilled => ProofStatus.Fulfilled,
            RequestStatus.Refunded => ProofStatus.Refunded,
            _ => ProofStatus.Failed,
        };
        await runtime.Records.AppendProofLogAsync(new ProofLogEntry
        {
            RequestId = record.RequestId,
            ModelId = record.ModelId,
            InputCommitment = record.InputCommitment,
            OutputCommitment = record.OutputCommitment,
            Input = record.Input,
            Proof = record.Proof,
            Status = status,
            RequestedAt = record.CreatedAt,
            UpdatedAt = DateTimeOffset.UtcNow,
            TransactionHashes = new[] { record.Txs.Request, record.Txs.Lock, record.Txs.Fulfil, record.Txs.Refund }.OfType<string>().ToArray(),
            Error = record.Error,
        }, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "request {RequestId}: seen, {Payment} wei")]
        public static partial void Seen(ILogger logger, string requestId, string payment);

        [LoggerMessage(2, LogLevel.Information, "request {RequestId}: locked ({Tx})")]
        public static partial void Locked(ILogger logger, string requestId, string tx);

        [LoggerMessage(3, LogLevel.Information, "request {RequestId}: proved in {Ms} ms, stored at {Key}")]
        public static partial void Proved(ILogger logger, string requestId, long ms, string key);

        [LoggerMessage(4, LogLevel.Information, "request {RequestId}: fulfilled ({Tx}, {Gas} gas)")]
        public static partial void Fulfilled(ILogger logger, string requestId, string tx, long gas);

        [LoggerMessage(5, LogLevel.Warning, "request {RequestId}: not served: {Reason}")]
        public static partial void Failed(ILogger logger, string requestId, string reason);

        [LoggerMessage(6, LogLevel.Error, "request {RequestId}: step failed (attempt {Attempt})")]
        public static partial void StepFailed(ILogger logger, string requestId, int attempt, Exception e);

        [LoggerMessage(7, LogLevel.Warning, "event loop failed; retrying")]
        public static partial void EventLoopFailed(ILogger logger, Exception e);

        [LoggerMessage(8, LogLevel.Information, "request {RequestId}: resuming from {Status}")]
        public static partial void Resuming(ILogger logger, string requestId, RequestStatus status);
    }
}
