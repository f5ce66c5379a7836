using System.Numerics;
using Zkml.Ezkl;
using Zkml.Market;
using Zkml.Samples;
using Zkml.Storage;
using Zkml.Storage.Records;

namespace Zkml.EndToEnd.Tests;

/// <summary>The whole market: a real provider process, the real engine, anvil and radosgw.</summary>
[Collection(MarketRunCollection.Name)]
public sealed class RoundTripTests(MarketRun run)
{
    private static readonly SampleModel FloatModel = TrainFloatModel();

    [Fact]
    public async Task A_paid_request_is_proved_attested_fulfilled_and_only_then_paid_to_the_provider()
    {
        var input = SampleModel.Example(1, seed: 21);
        var providerCredit = await run.Market.GetCreditAsync(run.ProviderAddress);
        var escrow = await run.Rpc.GetBalanceAsync(run.Market.Address);

        var request = await run.RequestAsync(input, TimeSpan.FromMinutes(10));

        // The payment is held by the market, not paid to anyone yet.
        Assert.True(await run.Rpc.GetBalanceAsync(run.Market.Address) >= escrow + run.ModelInfo.Price);
        var fulfilled = await run.WaitForChainAsync(request.RequestId, s => s.Status is ProofRequestStatus.Fulfilled or ProofRequestStatus.Refunded);
        Assert.Equal(ProofRequestStatus.Fulfilled, fulfilled.Status);
        Assert.Equal(run.ProviderAddress, fulfilled.Prover);

        // Paid exactly once: the price plus its returned collateral.
        Assert.Equal(providerCredit + run.ModelInfo.Price + run.ModelInfo.LockCollateral, await run.Market.GetCreditAsync(run.ProviderAddress));

        // The proof the fulfilment names is in the bucket, verifies, commits to this input, and its outputs are the model's.
        var fulfilment = Assert.Single(await run.FulfilmentsAsync(request.RequestId));
        var proof = Proof.FromBytes(await run.Store.ReadAllBytesAsync(StoreUri.KeyOf(fulfilment.ProofUri)));
        Assert.True((await run.Engine.VerifyAsync(proof, run.Model.VerifyingKey, run.Model.CircuitSettings, run.Model.Srs)).IsValid);
        var instances = ModelBundle.Instances(proof);
        Assert.Equal(request.InputCommitment, ProofMarketClient.ComputeInstancesHash(instances.Take(run.ModelInfo.InputInstanceCount)));
        Assert.Equal(fulfilment.OutputCommitment, ProofMarketClient.ComputeInstancesHash(instances.Skip(run.ModelInfo.InputInstanceCount)));
        var outputs = run.Model.Outputs(proof);
        var expected = FloatModel.Predict(input);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - outputs[i]) < 0.2, $"output {i}: float {expected[i]}, proved {outputs[i]}");
        }

        Assert.Equal(1, SampleModel.ArgMax(outputs.Select(o => (float)o).ToArray()));

        // The host's API and its records agree with the chain.
        var view = await run.WaitForRecordAsync(request.RequestId, r => r.Txs.Fulfil is not null);
        Assert.Equal(RequestStatus.Fulfilled, view.Status);
        Assert.Equal(fulfilment.TransactionHash, view.Txs.Fulfil);
        Assert.Equal(HexConverter.ToHex(fulfilment.OutputCommitment), view.OutputCommitment);
        var api = await run.Provider.GetJsonAsync($"/api/requests/{request.RequestId}");
        Assert.Equal("Fulfilled", api.GetProperty("status").GetString());
        Assert.True(api.GetProperty("gasUsed").GetProperty("fulfil").GetInt64() > 0);
        var verify = await run.Provider.Http.PostAsync($"/api/requests/{request.RequestId}/verify", null);
        Assert.True((await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<System.Text.Json.JsonElement>(verify.Content)).GetProperty("valid").GetBoolean());

        // Every transition is in the audit trail, in order, and the trail verifies.
        Assert.Equal([ProofStatus.Requested, ProofStatus.Locked, ProofStatus.Proving, ProofStatus.Proved, ProofStatus.Fulfilled],
            await run.HistoryAsync(request.RequestId));
        Assert.True((await run.Records.AuditTrail.VerifyAsync()).IsValid);
        Assert.True((await run.Provider.GetJsonAsync("/api/audit")).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task A_request_without_a_valid_proof_is_never_paid_and_is_refunded_after_its_deadline()
    {
        // The client stores one input but commits on chain to another: no honest proof can match the commitment.
        var input = SampleModel.Example(2, seed: 33);
        var committed = input.Select((v, i) => i == 0 ? v + 0.25 : (double)v).ToArray();
        var providerCredit = await run.Market.GetCreditAsync(run.ProviderAddress);
        var clientCredit = await run.Market.GetCreditAsync(run.Client.Address);
        var request = await run.RequestAsync(input, TimeSpan.FromMinutes(2), committed);

        // The provider checks the input against the commitment before locking, and refuses it.
        var refused = await run.WaitForRecordAsync(request.RequestId, r => r.Status == RequestStatus.Failed);
        Assert.Contains("commitment", refused.Error);
        Assert.Equal(ProofRequestStatus.Open, (await run.Market.GetRequestAsync(request.RequestId)).Status);

        // A dishonest prover proves the stored input and tries to get paid for it.
        var market = run.Market.WithSender(run.Dishonest);
        await market.LockAsync(request.RequestId);
        var witness = await run.Engine.GenerateWitnessAsync(run.Model.Circuit!, ModelInput.FromValues([input.Select(v => (double)v)]));
        var proof = await run.Engine.ProveAsync(witness, run.Model.ProvingKey!, run.Model.Circuit!, run.Model.Srs);
        var instances = ModelBundle.Instances(proof);
        var stored = await run.Store.PutContentAddressedAsync(proof.Bytes, "proofs/");

        // The committee refuses it (the inputs are not the committed ones), and a tampered proof (valid inputs claimed) too.
        var member = new VerifierNode(run.Engine, run.Store, run.Records, run.Market, EthereumKey.FromHex(DevAccounts.Committee[0]), run.ChainId);
        var answer = await member.AttestAsync(new AttestationRequest(request.RequestId.ToString(), stored.Key, stored.Sha256));
        Assert.Null(answer.Signature);
        Assert.Contains("input commitment", answer.Reason);
        var json = System.Text.Json.Nodes.JsonNode.Parse(proof.Bytes.Span)!;
        var bytes = json["proof"]!.AsArray();
        bytes[40] = (bytes[40]!.GetValue<int>() + 1) % 256; // one byte of the SNARK changed
        var tampered = System.Text.Encoding.UTF8.GetBytes(json.ToJsonString());
        var tamperedRef = await run.Store.PutContentAddressedAsync(tampered, "proofs/");
        var tamperedAnswer = await member.AttestAsync(new AttestationRequest(request.RequestId.ToString(), tamperedRef.Key, tamperedRef.Sha256));
        Assert.Null(tamperedAnswer.Signature);

        // The market does not pay: neither with one signature nor with a full quorum can it be made to accept
        // instances that are not the committed input (it checks the commitment before it asks the verifier).
        var digest = Attestation.Digest(run.ChainId, run.ModelInfo.Verifier, run.ModelInfo.ModelId, run.Market.Address, request.RequestId, run.Dishonest.Address,
            proof.ProofBytes.Span, instances);
        var oneSignature = Attestation.EncodeProof(proof.ProofBytes.ToArray(), digest, [EthereumKey.FromHex(DevAccounts.Committee[1]).Sign(digest)]);
        var withOne = await Assert.ThrowsAsync<ContractRevertException>(() => market.FulfilAsync(request.RequestId, oneSignature, instances, StoreUri.For(stored.Key)));
        Assert.Equal("InputCommitmentMismatch", withOne.ErrorName);
        var quorum = Attestation.EncodeProof(proof.ProofBytes.ToArray(), digest, DevAccounts.Committee.Select(k => EthereumKey.FromHex(k).Sign(digest)));
        var wrongInputs = await Assert.ThrowsAsync<ContractRevertException>(() => market.FulfilAsync(request.RequestId, quorum, instances, StoreUri.For(stored.Key)));
        Assert.Equal("InputCommitmentMismatch", wrongInputs.ErrorName);
        Assert.Equal(providerCredit, await run.Market.GetCreditAsync(run.ProviderAddress));
        Assert.Equal(ProofRequestStatus.Locked, (await run.Market.GetRequestAsync(request.RequestId)).Status);

        // After the deadline the client is refunded: its payment plus the requester's share of the broken lock.
        await run.TravelAsync(TimeSpan.FromMinutes(3));
        var receipt = await run.Market.WithSender(run.Client).RefundAsync(request.RequestId);
        var refunded = Assert.Single(run.Market.DecodeEvents(receipt).OfType<RequestRefundedEvent>());
        Assert.True(refunded.Amount >= run.ModelInfo.Price);
        Assert.Equal(clientCredit + refunded.Amount, await run.Market.GetCreditAsync(run.Client.Address));
        Assert.Equal(providerCredit, await run.Market.GetCreditAsync(run.ProviderAddress));

        // The provider records the refund, and the audit trail still verifies.
        var record = await run.WaitForRecordAsync(request.RequestId, r => r.Status == RequestStatus.Refunded);
        Assert.Equal(receipt.TransactionHash, record.Txs.Refund);
        Assert.Equal(ProofStatus.Refunded, (await run.HistoryAsync(request.RequestId))[^1]);
        Assert.True((await run.Records.AuditTrail.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task A_provider_killed_mid_proof_fulfils_the_request_exactly_once_after_restart()
    {
        // kill -9 while the proof is being made: the hold file keeps the worker in Proving (recorded, locked on chain,
        // nothing proved or stored yet), so the kill always lands mid-proof.
        var providerCredit = await run.Market.GetCreditAsync(run.ProviderAddress);
        await File.WriteAllTextAsync(run.HoldProvingFile, "held by the kill test");
        SubmittedRequest request;
        try
        {
            request = await run.RequestAsync(SampleModel.Example(0, seed: 48), TimeSpan.FromMinutes(10));
            await run.WaitForRecordAsync(request.RequestId, r => r.Status == RequestStatus.Proving);
            run.Provider.Kill();
        }
        finally
        {
            File.Delete(run.HoldProvingFile);
        }

        var atKill = await run.Requests.GetAsync(request.RequestId.ToString());
        Assert.NotNull(atKill);
        Assert.Equal(RequestStatus.Proving, atKill.Status);
        Assert.Null(atKill.Proof);
        Assert.Equal(1, atKill.ProveAttempts);
        Assert.Equal(ProofRequestStatus.Locked, (await run.Market.GetRequestAsync(request.RequestId)).Status);
        await run.Provider.StartAsync();

        var state = await run.WaitForChainAsync(request.RequestId, s => s.Status is ProofRequestStatus.Fulfilled or ProofRequestStatus.Refunded);
        Assert.Equal(ProofRequestStatus.Fulfilled, state.Status);
        var record = await run.WaitForRecordAsync(request.RequestId, r => r.Status == RequestStatus.Fulfilled);

        // Fulfilled once, paid once, proved twice (the first proof died with the process), nothing lost.
        Assert.Single(await run.FulfilmentsAsync(request.RequestId));
        Assert.Equal(providerCredit + run.ModelInfo.Price + run.ModelInfo.LockCollateral, await run.Market.GetCreditAsync(run.ProviderAddress));
        var history = await run.HistoryAsync(request.RequestId);
        Assert.True(record.ProveAttempts == 2, $"prove attempts {record.ProveAttempts}; history {string.Join(", ", history)}; {System.Text.Json.JsonSerializer.Serialize(record)}");
        Assert.NotNull(record.Proof);
        Assert.Equal(1, history.Count(s => s == ProofStatus.Fulfilled));
        Assert.Equal(2, history.Count(s => s == ProofStatus.Proving));
        Assert.True((await run.Records.AuditTrail.VerifyAsync()).IsValid);
    }

    private static SampleModel TrainFloatModel()
    {
        var (x, y) = SampleModel.MakeDataset();
        return SampleModel.Train(x, y);
    }
}
