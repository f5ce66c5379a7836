using Zkml.Ezkl;
using Zkml.Market;
using Zkml.Samples;
using Zkml.Storage;

namespace Zkml.EndToEnd.Tests;

/// <summary>Verifier nodes as their own processes (samples/Zkml.Verifier), asked over HTTP like a prover asks them.</summary>
[Collection(MarketRunCollection.Name)]
public sealed class VerifierNodeTests(MarketRun run)
{
    [Fact]
    public async Task Verifier_processes_sign_a_valid_candidate_for_its_locker_and_refuse_a_tampered_one()
    {
        // A request the provider will not take (the stored input is not the committed one), so it stays open:
        // a second prover who knows the committed values locks it, proves those and asks the committee.
        var stored = SampleModel.Example(0, seed: 61);
        var committed = stored.Select(v => (double)v + 0.125).ToArray();
        var request = await run.RequestAsync(stored, TimeSpan.FromMinutes(10), committed);
        await run.WaitForRecordAsync(request.RequestId, r => r.Status == RequestStatus.Failed);
        await run.Market.WithSender(run.Dishonest).LockAsync(request.RequestId);

        var witness = await run.Engine.GenerateWitnessAsync(run.Model.Circuit!, ModelInput.FromValues([committed]));
        var proof = await run.Engine.ProveAsync(witness, run.Model.ProvingKey!, run.Model.Circuit!, run.Model.Srs);
        var proofRef = await run.Store.PutContentAddressedAsync(proof.Bytes, "proofs/");
        var json = System.Text.Json.Nodes.JsonNode.Parse(proof.Bytes.Span)!;
        var snark = json["proof"]!.AsArray();
        snark[100] = (snark[100]!.GetValue<int>() + 1) % 256;
        var tamperedRef = await run.Store.PutContentAddressedAsync(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()), "proofs/");

        await using var first = run.Verifier(DevAccounts.Committee[0]);
        await using var second = run.Verifier(DevAccounts.Committee[2]);
        await first.StartAsync();
        await second.StartAsync();
        var committee = new RemoteCommittee([first.BaseAddress.ToString(), second.BaseAddress.ToString()]);

        var refused = await committee.AttestAsync(new AttestationRequest(request.RequestId.ToString(), tamperedRef.Key, tamperedRef.Sha256));
        Assert.Empty(refused.Signatures);
        Assert.All(refused.Refusals, r => Assert.Contains("invalid proof", r));

        var answer = await committee.AttestAsync(new AttestationRequest(request.RequestId.ToString(), proofRef.Key, proofRef.Sha256));
        Assert.Equal(2, answer.Signatures.Count);
        var instances = ModelBundle.Instances(proof);
        var digest = Attestation.Digest(run.ChainId, run.ModelInfo.Verifier, run.ModelInfo.ModelId, run.Market.Address, request.RequestId, run.Dishonest.Address,
            proof.ProofBytes.Span, instances);
        var attested = Attestation.EncodeProof(proof.ProofBytes.ToArray(), digest, answer.Signatures);
        var creditBefore = await run.Market.GetCreditAsync(run.Dishonest.Address);

        var receipt = await run.Market.WithSender(run.Dishonest).FulfilAsync(request.RequestId, attested, instances, StoreUri.For(proofRef.Key));

        Assert.Single(run.Market.DecodeEvents(receipt).OfType<RequestFulfilledEvent>());
        Assert.Equal(creditBefore + run.ModelInfo.Price + run.ModelInfo.LockCollateral, await run.Market.GetCreditAsync(run.Dishonest.Address));
        var record = await run.WaitForRecordAsync(request.RequestId, r => r.Status == RequestStatus.Fulfilled);
        Assert.Equal(receipt.TransactionHash, record.Txs.Fulfil);
    }
}
