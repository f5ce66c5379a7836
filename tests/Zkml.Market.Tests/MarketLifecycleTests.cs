using System.Numerics;
using System.Text.Json.Nodes;

namespace Zkml.Market.Tests;

/// <summary>The escrow life cycle on the live anvil node: payments held, provers paid, refunds, slashing.</summary>
[Collection(AnvilCollection.Name)]
public class MarketLifecycleTests(AnvilChain chain)
{
    [Fact]
    public async Task Registered_model_reads_back_as_registered()
    {
        var model = await chain.RegisterModelAsync(inputCount: 3);

        var info = await chain.Market.GetModelAsync(model.Id);

        Assert.True(info.IsRegistered);
        Assert.Equal(chain.Provider.Address, info.Provider);
        Assert.Equal(model.Verifier.Address, info.Verifier);
        Assert.Equal(model.Registration.Price, info.Price);
        Assert.Equal(3, info.InputInstanceCount);
        Assert.Equal(model.Registration.ArtifactUri, info.ArtifactUri);
        var registered = Assert.IsType<ModelRegisteredEvent>(Assert.Single(chain.Market.DecodeEvents(model.Receipt)));
        Assert.Equal(model.Id, registered.Model.ModelId);
        Assert.Equal(TimeSpan.FromMinutes(10), registered.Model.LockDuration);
    }

    [Fact]
    public async Task Full_life_cycle_holds_payment_and_collateral_then_pays_the_prover_on_an_attested_proof()
    {
        var model = await chain.RegisterModelAsync();
        var instances = TestModel.Instances(11, 22, 33, 44);
        var price = model.Registration.Price;
        var collateral = model.Registration.LockCollateral;
        var escrowBefore = await chain.BalanceAsync(chain.Market.Address);
        var requesterBefore = await chain.BalanceAsync(chain.Requester.Address);

        // request: the payment is held by the contract
        var requestId = await model.RequestAsync(instances);
        Assert.Equal(escrowBefore + price, await chain.BalanceAsync(chain.Market.Address));
        Assert.True(await chain.BalanceAsync(chain.Requester.Address) < requesterBefore - price);
        var open = await chain.Market.GetRequestAsync(requestId);
        Assert.Equal(ProofRequestStatus.Open, open.Status);
        Assert.Equal(chain.Requester.Address, open.Requester);
        Assert.Equal(price, open.Payment);

        // lock: the collateral is held too
        var provider = chain.MarketAs(chain.Provider);
        var lockReceipt = await provider.LockAsync(requestId, collateral);
        Assert.Equal(escrowBefore + price + collateral, await chain.BalanceAsync(chain.Market.Address));
        var locked = Assert.IsType<RequestLockedEvent>(Assert.Single(provider.DecodeEvents(lockReceipt)));
        Assert.Equal(chain.Provider.Address, locked.Prover);
        var lockedState = await chain.Market.GetRequestAsync(requestId);
        Assert.Equal(ProofRequestStatus.Locked, lockedState.Status);
        Assert.Equal(locked.LockDeadline, lockedState.LockDeadline);

        // fulfil with a 2-of-3 committee attestation of real signatures
        var snarkProof = "a halo2 proof, as bytes"u8.ToArray();
        var proof = model.AttestedProof(snarkProof, instances);
        Assert.True(await model.Verifier.VerifyAsync(proof, instances));
        var creditBefore = await chain.Market.GetCreditAsync(chain.Provider.Address);
        var fulfilReceipt = await provider.FulfilAsync(requestId, proof, instances, "s3://proofs/1.json");

        var fulfilled = Assert.IsType<RequestFulfilledEvent>(Assert.Single(provider.DecodeEvents(fulfilReceipt)));
        Assert.Equal(requestId, fulfilled.RequestId);
        Assert.Equal(chain.Provider.Address, fulfilled.Prover);
        Assert.Equal(ProofMarketClient.ComputeInstancesHash(instances.Skip(2)), fulfilled.OutputCommitment);
        Assert.Equal(Keccak256.Hash(proof), fulfilled.ProofHash);
        Assert.Equal("s3://proofs/1.json", fulfilled.ProofUri);
        Assert.Equal(creditBefore + price + collateral, await chain.Market.GetCreditAsync(chain.Provider.Address));
        Assert.Equal(ProofRequestStatus.Fulfilled, (await chain.Market.GetRequestAsync(requestId)).Status);

        // withdraw: the provider's ETH balance grows by its credit minus the gas it paid
        var providerBefore = await chain.BalanceAsync(chain.Provider.Address);
        var withdrawReceipt = await provider.WithdrawAsync();
        var withdrawal = Assert.IsType<WithdrawalEvent>(Assert.Single(provider.DecodeEvents(withdrawReceipt)));
        Assert.Equal(creditBefore + price + collateral, withdrawal.Amount);
        Assert.Equal(providerBefore + withdrawal.Amount - withdrawReceipt.Fee, await chain.BalanceAsync(chain.Provider.Address));
        Assert.Equal(BigInteger.Zero, await chain.Market.GetCreditAsync(chain.Provider.Address));
    }

    [Fact]
    public async Task Unlocked_request_is_refunded_in_full_after_the_deadline()
    {
        var model = await chain.RegisterModelAsync();
        var requestId = await model.RequestAsync(TestModel.Instances(1, 2, 3), TimeSpan.FromMinutes(5));
        var creditBefore = await chain.Market.GetCreditAsync(chain.Requester.Address);

        await chain.TravelAsync(TimeSpan.FromMinutes(6));
        var receipt = await chain.MarketAs(chain.OtherProver).RefundAsync(requestId); // anyone may trigger it

        var refunded = Assert.IsType<RequestRefundedEvent>(Assert.Single(chain.Market.DecodeEvents(receipt)));
        Assert.Equal(model.Registration.Price, refunded.Amount);
        Assert.Equal(chain.Requester.Address, refunded.Requester);
        Assert.Equal(creditBefore + model.Registration.Price, await chain.Market.GetCreditAsync(chain.Requester.Address));
        Assert.Equal(ProofRequestStatus.Refunded, (await chain.Market.GetRequestAsync(requestId)).Status);
    }

    [Fact]
    public async Task Lock_that_loses_a_race_after_gas_estimation_names_the_custom_error()
    {
        var model = await chain.RegisterModelAsync();
        var requestId = await model.RequestAsync(TestModel.Instances(7, 8), TimeSpan.FromMinutes(30));
        var collateral = model.Registration.LockCollateral;

        // With automine off, both locks pass gas estimation on the open request; one block then mines both, and the
        // second reverts on chain, where only replaying it tells why.
        Task<TransactionReceipt>[] locks;
        await chain.Rpc.RequestAsync("evm_setAutomine", [JsonValue.Create(false)]);
        try
        {
            locks = [chain.MarketAs(chain.Provider).LockAsync(requestId, collateral), chain.MarketAs(chain.OtherProver).LockAsync(requestId, collateral)];
            using var pooled = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            while ((await chain.Rpc.RequestAsync("txpool_status", [], pooled.Token)).GetProperty("pending").GetString() != "0x2")
            {
                await Task.Delay(20, pooled.Token);
            }

            await chain.Rpc.RequestAsync("evm_mine", []);
        }
        finally
        {
            await chain.Rpc.RequestAsync("evm_setAutomine", [JsonValue.Create(true)]);
        }

        var outcomes = await Task.WhenAll(locks.Select(async l => (Exception?)await Record.ExceptionAsync(() => l)));
        var lost = Assert.IsType<TransactionFailedException>(Assert.Single(outcomes, o => o is not null));
        Assert.Equal("InvalidRequestStatus", lost.ErrorName);
        Assert.Equal(requestId, lost.Error!.Arguments[0].Value);
        Assert.Contains("InvalidRequestStatus", lost.Message);
        Assert.False((await chain.Rpc.GetTransactionReceiptAsync(lost.TransactionHash))!.Succeeded);
        Assert.Equal(ProofRequestStatus.Locked, (await chain.Market.GetRequestAsync(requestId)).Status);
    }

    [Fact]
    public async Task Broken_lock_is_slashed_at_refund_part_to_the_requester_and_the_rest_burned()
    {
        var model = await chain.RegisterModelAsync();
        var requestId = await model.RequestAsync(TestModel.Instances(5, 6), TimeSpan.FromMinutes(30));
        var collateral = model.Registration.LockCollateral;
        await chain.MarketAs(chain.Provider).LockAsync(requestId, collateral);
        var requesterCredit = await chain.Market.GetCreditAsync(chain.Requester.Address);
        var providerCredit = await chain.Market.GetCreditAsync(chain.Provider.Address);
        var burnedBefore = await chain.Market.GetBurnedCollateralAsync();

        await chain.TravelAsync(TimeSpan.FromMinutes(31));
        var receipt = await chain.MarketAs(chain.Requester).RefundAsync(requestId);

        var toRequester = collateral * AnvilChain.SlashBasisPoints / 10_000;
        var events = chain.Market.DecodeEvents(receipt);
        var slashed = Assert.IsType<CollateralSlashedEvent>(events[0]);
        Assert.Equal(chain.Provider.Address, slashed.Prover);
        Assert.Equal(toRequester, slashed.ToRequester);
        Assert.Equal(collateral - toRequester, slashed.Burned);
        Assert.IsType<RequestRefundedEvent>(events[1]);
        Assert.Equal(requesterCredit + model.Registration.Price + toRequester, await chain.Market.GetCreditAsync(chain.Requester.Address));
        Assert.Equal(providerCredit, await chain.Market.GetCreditAsync(chain.Provider.Address));
        Assert.Equal(burnedBefore + collateral - toRequester, await chain.Market.GetBurnedCollateralAsync());
    }

    [Fact]
    public async Task Another_prover_may_fulfil_after_the_lock_expires_and_takes_the_absent_lockers_collateral_share()
    {
        var model = await chain.RegisterModelAsync(lockDuration: TimeSpan.FromMinutes(2));
        var instances = TestModel.Instances(7, 8, 9);
        var requestId = await model.RequestAsync(instances);
        var collateral = model.Registration.LockCollateral;
        await chain.MarketAs(chain.Provider).LockAsync(requestId, collateral);
        var otherCredit = await chain.Market.GetCreditAsync(chain.OtherProver.Address);
        var requesterCredit = await chain.Market.GetCreditAsync(chain.Requester.Address);

        await chain.TravelAsync(TimeSpan.FromMinutes(3));
        var receipt = await chain.MarketAs(chain.OtherProver).FulfilAsync(requestId, model.AttestedProof([1, 2, 3], instances), instances, "s3://p");

        var toRequester = collateral * AnvilChain.SlashBasisPoints / 10_000;
        Assert.Contains(chain.Market.DecodeEvents(receipt), e => e is CollateralSlashedEvent s && s.Prover == chain.Provider.Address);
        Assert.Equal(otherCredit + model.Registration.Price + collateral - toRequester, await chain.Market.GetCreditAsync(chain.OtherProver.Address));
        Assert.Equal(requesterCredit + toRequester, await chain.Market.GetCreditAsync(chain.Requester.Address));
        Assert.Equal(chain.OtherProver.Address, (await chain.Market.GetRequestAsync(requestId)).Prover);
    }

    [Fact]
    public async Task Committee_owner_manages_members_and_threshold()
    {
        var model = await chain.RegisterModelAsync();
        var verifier = model.Verifier;
        Assert.Equal(chain.Committee.Select(k => k.Address), await verifier.GetMembersAsync());
        Assert.Equal(2, await verifier.GetThresholdAsync());
        Assert.Equal(model.Id, await verifier.GetModelIdAsync());

        await verifier.AddMemberAsync(chain.Outsider.Address);
        await verifier.SetThresholdAsync(4);
        Assert.Equal(4, await verifier.GetThresholdAsync());
        var tooFew = await Assert.ThrowsAsync<ContractRevertException>(() => verifier.RemoveMemberAsync(chain.Committee[0].Address));
        Assert.Equal("InvalidThreshold", tooFew.ErrorName);
        await verifier.SetThresholdAsync(3);
        await verifier.RemoveMemberAsync(chain.Committee[0].Address);
        Assert.DoesNotContain(chain.Committee[0].Address, await verifier.GetMembersAsync());
        Assert.Equal(4 - 1, (await verifier.GetMembersAsync()).Count);

        // only the owner manages the committee
        var notOwner = new AttestationVerifierClient(chain.Rpc, verifier.Address, chain.Provider);
        var e = await Assert.ThrowsAsync<ContractRevertException>(() => notOwner.AddMemberAsync(chain.Provider.Address));
        Assert.Equal("NotOwner", e.ErrorName);
        Assert.Equal(chain.Provider.Address, e.Error!["caller"]);
        await verifier.TransferOwnershipAsync(chain.Provider.Address);
        await notOwner.AddMemberAsync(chain.Provider.Address);
        Assert.Contains(chain.Provider.Address, await verifier.GetMembersAsync());
    }

    [Fact]
    public async Task Attestation_digest_computed_in_CSharp_equals_the_contracts()
    {
        var model = await chain.RegisterModelAsync();
        var instances = TestModel.Instances(3, 1, 4, 1, 5);
        var snarkProof = new byte[] { 9, 9, 9 };

        var onChain = await model.Verifier.GetAttestationDigestAsync(Keccak256.Hash(snarkProof), ProofMarketClient.ComputeInstancesHash(instances));

        Assert.Equal(Eip712.HashDomain(Attestation.Domain(chain.ChainId, model.Verifier.Address)), await model.Verifier.GetDomainSeparatorAsync());
        Assert.Equal(model.Digest(snarkProof, instances), onChain);
    }
}
