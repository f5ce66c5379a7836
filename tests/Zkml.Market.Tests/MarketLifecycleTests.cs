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
        Assert.Equal(collateral, await provider.GetRequiredCollateralAsync(requestId));
        var lockReceipt = await provider.LockAsync(requestId, collateral);
        Assert.Equal(escrowBefore + price + collateral, await chain.BalanceAsync(chain.Market.Address));
        var locked = Assert.IsType<RequestLockedEvent>(Assert.Single(provider.DecodeEvents(lockReceipt)));
        Assert.Equal(chain.Provider.Address, locked.Prover);
        var lockedState = await chain.Market.GetRequestAsync(requestId);
        Assert.Equal(ProofRequestStatus.Locked, lockedState.Status);
        Assert.Equal(locked.LockDeadline, lockedState.LockDeadline);

        // fulfil with a 2-of-3 committee attestation of real signatures
        var snarkProof = "a halo2 proof, as bytes"u8.ToArray();
        var proof = model.AttestedProof(requestId, snarkProof, instances);
        Assert.True(await model.Verifier.VerifyAsync(proof, instances, chain.Market.Address, requestId, chain.Provider.Address));
        var creditBefore = await chain.Market.GetCreditAsync(chain.Provider.Address);
        var fulfilReceipt = await provider.FulfilAsync(requestId, proof, instances, "s3://proofs/1.json");

        var fulfilEvents = provider.DecodeEvents(fulfilReceipt);
        var credited = Assert.IsType<CreditedEvent>(fulfilEvents[0]);
        Assert.Equal((chain.Provider.Address, requestId, price + collateral, CreditReason.Payout), (credited.Account, credited.RequestId, credited.Amount, credited.Reason));
        var fulfilled = Assert.IsType<RequestFulfilledEvent>(fulfilEvents[1]);
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

        var refunded = Assert.IsType<RequestRefundedEvent>(chain.Market.DecodeEvents(receipt)[1]);
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
        Assert.Equal("LockedByAnotherProver", lost.ErrorName);
        Assert.Equal(requestId, lost.Error!.Arguments[0].Value);
        Assert.Contains("LockedByAnotherProver", lost.Message);
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
        var credited = Assert.IsType<CreditedEvent>(events[1]);
        Assert.Equal(model.Registration.Price + toRequester, credited.Amount);
        Assert.Equal(CreditReason.Refund, credited.Reason);
        Assert.IsType<RequestRefundedEvent>(events[2]);
        Assert.Equal(requesterCredit + model.Registration.Price + toRequester, await chain.Market.GetCreditAsync(chain.Requester.Address));
        Assert.Equal(providerCredit, await chain.Market.GetCreditAsync(chain.Provider.Address));
        Assert.Equal(burnedBefore + collateral - toRequester, await chain.Market.GetBurnedCollateralAsync());
    }

    [Fact]
    public async Task Another_prover_takes_over_an_expired_lock_slashing_the_absent_locker_then_fulfils()
    {
        var model = await chain.RegisterModelAsync(lockDuration: TimeSpan.FromMinutes(2));
        var instances = TestModel.Instances(7, 8, 9);
        var requestId = await model.RequestAndLockAsync(instances);
        var collateral = model.Registration.LockCollateral;
        var otherCredit = await chain.Market.GetCreditAsync(chain.OtherProver.Address);
        var requesterCredit = await chain.Market.GetCreditAsync(chain.Requester.Address);
        var burnedBefore = await chain.Market.GetBurnedCollateralAsync();
        var other = chain.MarketAs(chain.OtherProver);

        await chain.TravelAsync(TimeSpan.FromMinutes(3));
        var takeover = await other.LockAsync(requestId);

        var toRequester = collateral * AnvilChain.SlashBasisPoints / 10_000;
        var events = chain.Market.DecodeEvents(takeover);
        var slashed = Assert.IsType<CollateralSlashedEvent>(events[0]);
        Assert.Equal((chain.Provider.Address, toRequester, collateral - toRequester), (slashed.Prover, slashed.ToRequester, slashed.Burned));
        var share = Assert.IsType<CreditedEvent>(events[1]);
        Assert.Equal((chain.Requester.Address, toRequester, CreditReason.SlashShare), (share.Account, share.Amount, share.Reason));
        Assert.Equal(chain.OtherProver.Address, Assert.IsType<RequestLockedEvent>(events[2]).Prover);
        Assert.Equal(requesterCredit + toRequester, await chain.Market.GetCreditAsync(chain.Requester.Address));
        Assert.Equal(burnedBefore + collateral - toRequester, await chain.Market.GetBurnedCollateralAsync());

        // the absent locker can no longer fulfil; the new locker can, with an attestation made out to it
        var late = await Assert.ThrowsAsync<ContractRevertException>(
            () => chain.MarketAs(chain.Provider).FulfilAsync(requestId, model.AttestedProof(requestId, [1, 2, 3], instances), instances, "s3://p"));
        Assert.Equal("NotLocker", late.ErrorName);
        await other.FulfilAsync(requestId, model.AttestedProofFor(chain.OtherProver.Address, requestId, [1, 2, 3], instances), instances, "s3://p");
        Assert.Equal(otherCredit + model.Registration.Price + collateral, await chain.Market.GetCreditAsync(chain.OtherProver.Address));
        Assert.Equal(chain.OtherProver.Address, (await chain.Market.GetRequestAsync(requestId)).Prover);
    }

    [Fact]
    public async Task Committee_changes_wait_for_the_delay_and_ownership_moves_in_two_steps()
    {
        var model = await chain.RegisterModelAsync();
        var verifier = model.Verifier;
        Assert.Equal(chain.Committee.Select(k => k.Address), await verifier.GetMembersAsync());
        Assert.Equal(2, await verifier.GetThresholdAsync());
        Assert.Equal(model.Id, await verifier.GetModelIdAsync());
        Assert.Null(await verifier.GetPendingCommitteeAsync());

        // propose: nothing changes until the delay has passed, and the proposal is public
        EthereumAddress[] next = [chain.Committee[1].Address, chain.Committee[2].Address, chain.Outsider.Address];
        await verifier.ProposeCommitteeAsync(next, 3);
        var pending = await verifier.GetPendingCommitteeAsync();
        Assert.NotNull(pending);
        Assert.Equal(next.Order(), pending.Members);
        Assert.Equal(3, pending.Threshold);
        Assert.True(pending.ApplicableAt >= DateTimeOffset.FromUnixTimeSeconds(await chain.NowAsync()) + TimeSpan.FromDays(31) - TimeSpan.FromSeconds(5));
        var early = await Assert.ThrowsAsync<ContractRevertException>(() => verifier.ApplyCommitteeChangeAsync());
        Assert.Equal("ChangeNotDue", early.ErrorName);
        Assert.Equal(2, await verifier.GetThresholdAsync());

        await chain.TravelAsync(TimeSpan.FromDays(31) + TimeSpan.FromMinutes(1));
        await new AttestationVerifierClient(chain.Rpc, verifier.Address, chain.Requester).ApplyCommitteeChangeAsync(); // anyone applies
        Assert.Equal(3, await verifier.GetThresholdAsync());
        Assert.Equal(next.Order(), (await verifier.GetMembersAsync()).Order());
        Assert.Null(await verifier.GetPendingCommitteeAsync());

        // only the owner proposes; a transfer needs the new owner's acceptance
        var notOwner = new AttestationVerifierClient(chain.Rpc, verifier.Address, chain.Provider);
        var e = await Assert.ThrowsAsync<ContractRevertException>(() => notOwner.ProposeCommitteeAsync([chain.Provider.Address], 1));
        Assert.Equal("NotOwner", e.ErrorName);
        Assert.Equal(chain.Provider.Address, e.Error!["caller"]);
        await verifier.TransferOwnershipAsync(chain.Provider.Address);
        Assert.Equal(chain.Deployer.Address, await verifier.GetOwnerAsync());
        Assert.Equal(chain.Provider.Address, await verifier.GetPendingOwnerAsync());
        var stranger = new AttestationVerifierClient(chain.Rpc, verifier.Address, chain.Requester);
        Assert.Equal("NotPendingOwner", (await Assert.ThrowsAsync<ContractRevertException>(() => stranger.AcceptOwnershipAsync())).ErrorName);
        await notOwner.AcceptOwnershipAsync();
        Assert.Equal(chain.Provider.Address, await verifier.GetOwnerAsync());
        await notOwner.ProposeCommitteeAsync([chain.Provider.Address], 1);
        await notOwner.CancelCommitteeChangeAsync();
        Assert.Null(await verifier.GetPendingCommitteeAsync());
    }

    [Fact]
    public async Task Attestation_digest_computed_in_CSharp_equals_the_contracts()
    {
        var model = await chain.RegisterModelAsync();
        var instances = TestModel.Instances(3, 1, 4, 1, 5);
        var snarkProof = new byte[] { 9, 9, 9 };

        var onChain = await model.Verifier.GetAttestationDigestAsync(
            chain.Market.Address, 77, chain.OtherProver.Address, Keccak256.Hash(snarkProof), ProofMarketClient.ComputeInstancesHash(instances));

        Assert.Equal(Eip712.HashDomain(Attestation.Domain(chain.ChainId, model.Verifier.Address)), await model.Verifier.GetDomainSeparatorAsync());
        Assert.Equal(model.Digest(77, chain.OtherProver.Address, snarkProof, instances), onChain);
        Assert.NotEqual(model.Digest(78, chain.OtherProver.Address, snarkProof, instances), onChain);
        Assert.NotEqual(model.Digest(77, chain.Provider.Address, snarkProof, instances), onChain);
    }
}
