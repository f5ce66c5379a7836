using Zkml.Ezkl;
using Zkml.Market;
using Zkml.Samples;
using Zkml.Storage;

namespace Zkml.EndToEnd.Tests;

/// <summary>
/// The provider host with its default verification: onboarding deployed the model's generated Halo2 verifier and the
/// market runs it on every fulfilment, with no committee in the loop.
/// </summary>
[Collection(OnChainMarketRunCollection.Name)]
public sealed class OnChainSettlementTests(OnChainMarketRun run)
{
    [Fact]
    public async Task A_paid_request_settles_through_the_models_halo2_verifier()
    {
        Assert.Equal(ProofVerification.Halo2, run.Deployment.Verification);
        var providerCredit = await run.Market.GetCreditAsync(run.ProviderAddress);

        var request = await run.RequestAsync(SampleModel.Example(0, seed: 41), TimeSpan.FromMinutes(10));
        var fulfilled = await run.WaitForChainAsync(request.RequestId, s => s.Status is ProofRequestStatus.Fulfilled or ProofRequestStatus.Refunded);

        Assert.Equal(ProofRequestStatus.Fulfilled, fulfilled.Status);
        Assert.Equal(providerCredit + run.ModelInfo.Price + run.ModelInfo.LockCollateral, await run.Market.GetCreditAsync(run.ProviderAddress));

        // The proof the fulfilment names is a plain SNARK (no attestations) that the deployed verifier accepts.
        var fulfilment = Assert.Single(await run.FulfilmentsAsync(request.RequestId));
        var proof = Proof.FromBytes(await run.Store.ReadAllBytesAsync(StoreUri.KeyOf(fulfilment.ProofUri)));
        Assert.Equal(fulfilment.ProofHash, Keccak256.Hash(proof.ProofBytes.Span));
        var verifier = new ProofVerifierContract(run.Rpc, run.ModelInfo.Verifier);
        Assert.True((await verifier.VerifyProofAsync(proof.ProofBytes, ModelBundle.Instances(proof))).IsValid);
    }

    [Fact]
    public async Task The_registered_verifier_is_the_one_regenerated_from_the_models_verifying_key()
    {
        var regenerated = await run.Engine.CreateEvmVerifierAsync(run.Model.VerifyingKey, run.Model.CircuitSettings, run.Model.Srs);
        var compiled = await new SolidityCompiler().CompileAsync(regenerated.SoliditySource, regenerated.ContractName);

        Assert.True(await new ProofVerifierContract(run.Rpc, run.ModelInfo.Verifier).HasRuntimeCodeOfAsync(compiled));
        var stored = run.Model.Commitment.Artifacts[ModelBundle.VerifierSource];
        Assert.Equal(regenerated.SoliditySource, System.Text.Encoding.UTF8.GetString(await run.Store.ReadAllBytesAsync(stored.Key)));
    }

    [Fact]
    public async Task A_proof_of_other_inputs_claimed_as_the_committed_ones_is_rejected_with_ProofRejected()
    {
        // The client commits to other values than the input it stores: the honest provider refuses the request, and a
        // dishonest prover proves the stored input but claims the committed values as its instances.
        var input = SampleModel.Example(2, seed: 43);
        var committed = input.Select((v, i) => i == 0 ? v + 0.25 : v).ToArray();
        var request = await run.RequestAsync(input, TimeSpan.FromMinutes(10), commitTo: committed);
        var providerCredit = await run.Market.GetCreditAsync(run.ProviderAddress);
        var market = run.Market.WithSender(run.Dishonest);
        await market.LockAsync(request.RequestId, run.ModelInfo.LockCollateral);
        var witness = await run.Engine.GenerateWitnessAsync(run.Model.Circuit!, ModelInput.FromValues([input.Select(v => (double)v)]));
        var proof = await run.Engine.ProveAsync(witness, run.Model.ProvingKey!, run.Model.Circuit!, run.Model.Srs);
        var forged = ModelBundle.Instances(proof);
        (await run.Model.QuantizeAsync(run.Engine, committed)).CopyTo(forged, 0);
        var dishonestCredit = await run.Market.GetCreditAsync(run.Dishonest.Address);

        var error = await Assert.ThrowsAsync<ContractRevertException>(() => market.FulfilAsync(request.RequestId, proof.ProofBytes.ToArray(), forged, "s3://forged"));

        Assert.Equal("ProofRejected", error.ErrorName);
        Assert.Equal(ProofRequestStatus.Locked, (await run.Market.GetRequestAsync(request.RequestId)).Status);
        Assert.Equal(dishonestCredit, await run.Market.GetCreditAsync(run.Dishonest.Address));
        Assert.Equal(providerCredit, await run.Market.GetCreditAsync(run.ProviderAddress));
    }
}
