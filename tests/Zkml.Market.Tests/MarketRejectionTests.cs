using System.Numerics;
using Zkml.Market.Abi;
using Zkml.Market.Market;

namespace Zkml.Market.Tests;

/// <summary>
/// Every rejection comes back as a ContractRevertException carrying the decoded custom error, and moves no balance:
/// no ETH balance, no market credit, no escrow, no request state.
/// </summary>
[Collection(AnvilCollection.Name)]
public class MarketRejectionTests(AnvilChain chain)
{
    private async Task<string> Snapshot(BigInteger? requestId)
    {
        var accounts = chain.Senders.Select(s => s.Address).Append(chain.Market.Address);
        var parts = new List<string>();
        foreach (var account in accounts)
        {
            parts.Add($"{account}: eth {await chain.BalanceAsync(account)} credit {await chain.Market.GetCreditAsync(account)}");
        }

        if (requestId is { } id)
        {
            var r = await chain.Market.GetRequestAsync(id);
            parts.Add($"request {id}: {r.Status} prover {r.Prover} payment {r.Payment} collateral {r.Collateral}");
        }

        return string.Join("\n", parts);
    }

    private async Task<DecodedError> AssertRejected(string expectedError, BigInteger? requestId, Func<Task> action)
    {
        var before = await Snapshot(requestId);
        var e = await Assert.ThrowsAsync<ContractRevertException>(action);
        Assert.Equal(expectedError, e.ErrorName);
        Assert.Equal(before, await Snapshot(requestId));
        return e.Error!;
    }

    [Fact]
    public async Task Double_fulfil_is_rejected()
    {
        var model = await chain.RegisterModelAsync();
        var instances = TestModel.Instances(1, 2, 3);
        var requestId = await model.RequestAndLockAsync(instances);
        var provider = chain.MarketAs(chain.Provider);
        await provider.FulfilAsync(requestId, model.AttestedProof(requestId, [1], instances), instances, "s3://p");

        var error = await AssertRejected("InvalidRequestStatus", requestId,
            () => provider.FulfilAsync(requestId, model.AttestedProof(requestId, [1], instances), instances, "s3://p"));
        Assert.Equal((BigInteger)(int)ProofRequestStatus.Fulfilled, error["status"]);
    }

    [Fact]
    public async Task Wrong_input_instances_are_rejected()
    {
        var model = await chain.RegisterModelAsync();
        var requestId = await model.RequestAndLockAsync(TestModel.Instances(1, 2, 3));
        var other = TestModel.Instances(1, 999, 3); // a proof over another input, properly attested

        var error = await AssertRejected("InputCommitmentMismatch", requestId,
            () => chain.MarketAs(chain.Provider).FulfilAsync(requestId, model.AttestedProof(requestId, [1], other), other, "s3://p"));
        Assert.Equal(model.InputCommitment(TestModel.Instances(1, 2, 3)), error["expected"]);
        Assert.Equal(model.InputCommitment(other), error["actual"]);
    }

    [Fact]
    public async Task Fulfil_after_the_deadline_is_rejected()
    {
        var model = await chain.RegisterModelAsync();
        var instances = TestModel.Instances(4, 5, 6);
        var requestId = await model.RequestAndLockAsync(instances, TimeSpan.FromMinutes(5));
        await chain.TravelAsync(TimeSpan.FromMinutes(6));

        await AssertRejected("DeadlineExpired", requestId,
            () => chain.MarketAs(chain.Provider).FulfilAsync(requestId, model.AttestedProof(requestId, [1], instances), instances, "s3://p"));
    }

    [Fact]
    public async Task Fulfil_by_a_non_locker_during_the_lock_is_rejected()
    {
        var model = await chain.RegisterModelAsync();
        var instances = TestModel.Instances(4, 5, 6);
        var requestId = await model.RequestAsync(instances);
        await chain.MarketAs(chain.Provider).LockAsync(requestId, model.Registration.LockCollateral);

        var error = await AssertRejected("NotLocker", requestId,
            () => chain.MarketAs(chain.OtherProver).FulfilAsync(requestId, model.AttestedProofFor(chain.OtherProver.Address, requestId, [1], instances), instances, "s3://p"));
        Assert.Equal(chain.Provider.Address, error["locker"]);
    }

    [Fact]
    public async Task Too_few_signatures_are_rejected()
    {
        var model = await chain.RegisterModelAsync();
        var instances = TestModel.Instances(1, 2);
        var requestId = await model.RequestAndLockAsync(instances);

        var error = await AssertRejected("InsufficientSignatures", requestId,
            () => chain.MarketAs(chain.Provider).FulfilAsync(requestId, model.AttestedProof(requestId, [1], instances, chain.Committee[1]), instances, "s3://p"));
        Assert.Equal(BigInteger.One, error["supplied"]);
        Assert.Equal((BigInteger)2, error["threshold"]);
    }

    [Fact]
    public async Task Duplicate_signatures_are_rejected()
    {
        var model = await chain.RegisterModelAsync();
        var instances = TestModel.Instances(1, 2);
        var requestId = await model.RequestAndLockAsync(instances);
        var member = chain.Committee[1];

        var error = await AssertRejected("DuplicateSigner", requestId,
            () => chain.MarketAs(chain.Provider).FulfilAsync(requestId, model.AttestedProof(requestId, [1], instances, member, member), instances, "s3://p"));
        Assert.Equal(member.Address, error["signer"]);
    }

    [Fact]
    public async Task Signature_of_a_non_member_is_rejected()
    {
        var model = await chain.RegisterModelAsync();
        var instances = TestModel.Instances(1, 2);
        var requestId = await model.RequestAndLockAsync(instances);

        var error = await AssertRejected("UnknownSigner", requestId,
            () => chain.MarketAs(chain.Provider).FulfilAsync(requestId, model.AttestedProof(requestId, [1], instances, chain.Committee[0], chain.Outsider), instances, "s3://p"));
        Assert.Equal(chain.Outsider.Address, error["signer"]);
    }

    [Fact]
    public async Task Signatures_over_another_proof_are_rejected()
    {
        var model = await chain.RegisterModelAsync();
        var instances = TestModel.Instances(1, 2);
        var requestId = await model.RequestAndLockAsync(instances);
        // Members attested proof A; the prover submits proof B with their signatures.
        var digestA = model.Digest(requestId, chain.Provider.Address, [0xA], instances);
        var forged = Attestation.EncodeProof([0xB], digestA, [chain.Committee[0].Sign(digestA), chain.Committee[1].Sign(digestA)]);

        await AssertRejected("UnknownSigner", requestId,
            () => chain.MarketAs(chain.Provider).FulfilAsync(requestId, forged, instances, "s3://p"));
    }

    [Fact]
    public async Task Refund_before_the_deadline_is_rejected()
    {
        var model = await chain.RegisterModelAsync();
        var requestId = await model.RequestAsync(TestModel.Instances(1, 2));

        await AssertRejected("DeadlineNotReached", requestId, () => chain.MarketAs(chain.Requester).RefundAsync(requestId));
    }

    [Fact]
    public async Task Underpayment_is_rejected()
    {
        var model = await chain.RegisterModelAsync();
        var instances = TestModel.Instances(1, 2);
        var deadline = DateTimeOffset.FromUnixTimeSeconds(await chain.NowAsync()) + TimeSpan.FromHours(1);
        var nextId = await chain.Market.GetNextRequestIdAsync();

        var error = await AssertRejected("Underpayment", null, () => chain.MarketAs(chain.Requester)
            .RequestProofAsync(model.Id, model.InputCommitment(instances), "s3://in", deadline, model.Registration.Price - 1));
        Assert.Equal(model.Registration.Price, error["required"]);
        Assert.Equal(model.Registration.Price - 1, error["sent"]);
        Assert.Equal(nextId, await chain.Market.GetNextRequestIdAsync());
    }

    [Fact]
    public async Task Lock_with_the_wrong_collateral_is_rejected()
    {
        var model = await chain.RegisterModelAsync();
        var requestId = await model.RequestAsync(TestModel.Instances(1, 2));

        await AssertRejected("IncorrectCollateral", requestId,
            () => chain.MarketAs(chain.Provider).LockAsync(requestId, model.Registration.LockCollateral - 1));
    }

    [Fact]
    public async Task Unknown_model_and_duplicate_registration_are_rejected()
    {
        var model = await chain.RegisterModelAsync();
        var deadline = DateTimeOffset.FromUnixTimeSeconds(await chain.NowAsync()) + TimeSpan.FromHours(1);

        await AssertRejected("UnknownModel", null,
            () => chain.MarketAs(chain.Requester).RequestProofAsync(new byte[32].Select((_, i) => (byte)(i + 1)).ToArray(), new byte[32], "x", deadline, 1));
        await AssertRejected("ModelAlreadyRegistered", null, () => chain.MarketAs(chain.Provider).RegisterModelAsync(model.Registration));
    }

    [Fact]
    public async Task Proof_the_verifier_returns_false_for_is_rejected()
    {
        var abi = AnvilChain.TestContract("FixedVerifier");
        var rejecting = await ContractInvoker.DeployAsync(chain.Deployer, abi, [AbiType.Parse("bool")], [false], default);
        var vkHash = ProofMarketClient.ComputeVerifyingKeyHash(System.Security.Cryptography.RandomNumberGenerator.GetBytes(64));
        var modelId = (await chain.MarketAs(chain.Provider).RegisterModelAsync(new ModelRegistration(vkHash, rejecting, 1000, 1000, TimeSpan.FromMinutes(1), 1, "s3://m"))).ModelId;
        var instances = TestModel.Instances(42, 43);
        var deadline = DateTimeOffset.FromUnixTimeSeconds(await chain.NowAsync()) + TimeSpan.FromHours(1);
        var request = await chain.MarketAs(chain.Requester).RequestProofAsync(
            modelId, ProofMarketClient.ComputeInstancesHash(instances.Take(1)), "s3://in", deadline, 1000);
        await chain.MarketAs(chain.Provider).LockAsync(request.RequestId);

        var error = await AssertRejected("ProofRejected", request.RequestId,
            () => chain.MarketAs(chain.Provider).FulfilAsync(request.RequestId, [1, 2, 3], instances, "s3://p"));
        Assert.Equal(request.RequestId, error["requestId"]);
    }

    [Fact]
    public async Task Fewer_instances_than_the_model_has_inputs_are_rejected()
    {
        var model = await chain.RegisterModelAsync(inputCount: 3);
        var instances = TestModel.Instances(1, 2, 3, 4);
        var requestId = await model.RequestAndLockAsync(instances);
        var tooShort = TestModel.Instances(1, 2);

        var error = await AssertRejected("TooFewInstances", requestId,
            () => chain.MarketAs(chain.Provider).FulfilAsync(requestId, model.AttestedProof(requestId, [1], tooShort), tooShort, "s3://p"));
        Assert.Equal((BigInteger)3, error["required"]);
    }

    [Fact]
    public async Task Second_lock_and_lock_after_the_deadline_are_rejected()
    {
        var model = await chain.RegisterModelAsync();
        var locked = await model.RequestAsync(TestModel.Instances(1, 2));
        var expiring = await model.RequestAsync(TestModel.Instances(1, 2), TimeSpan.FromMinutes(5));
        await chain.MarketAs(chain.Provider).LockAsync(locked, model.Registration.LockCollateral);

        await AssertRejected("LockedByAnotherProver", locked,
            () => chain.MarketAs(chain.OtherProver).LockAsync(locked, model.Registration.LockCollateral));
        await chain.TravelAsync(TimeSpan.FromMinutes(6));
        await AssertRejected("DeadlineExpired", expiring,
            () => chain.MarketAs(chain.OtherProver).LockAsync(expiring, model.Registration.LockCollateral));
    }

    [Fact]
    public async Task Reentrant_withdrawal_by_a_receiver_contract_is_stopped_and_pays_once()
    {
        var model = await chain.RegisterModelAsync();
        var abi = AnvilChain.TestContract("ReentrantReceiver");
        var address = await ContractInvoker.DeployAsync(chain.Deployer, abi, [AbiType.Parse("address")], [chain.Market.Address], default);
        var receiver = new ContractInvoker(chain.Rpc, abi, address, chain.Deployer);
        var deadline = await chain.NowAsync() + 300;
        await receiver.SendAsync("request", model.Registration.Price,
            [model.Id, model.InputCommitment(TestModel.Instances(1, 2)), (BigInteger)deadline], default);
        var requestId = await chain.Market.GetNextRequestIdAsync() - 1;
        await chain.TravelAsync(TimeSpan.FromMinutes(6));
        await chain.MarketAs(chain.Deployer).RefundAsync(requestId);
        Assert.Equal(model.Registration.Price, await chain.Market.GetCreditAsync(address));
        var escrowBefore = await chain.BalanceAsync(chain.Market.Address);

        await receiver.SendAsync("withdraw", BigInteger.Zero, [], default);

        // receive() re-entered withdraw() once; the guard rejected it with ReentrantCall and only one payout happened.
        Assert.Equal(BigInteger.One, AbiValue.Integer((await receiver.CallAsync("reentryAttempts", [], default))[0]));
        var reason = AbiValue.Bytes((await receiver.CallAsync("lastReentryError", [], default))[0]);
        Assert.Equal("ReentrantCall", ContractInvoker.DecodeError(reason)?.Name);
        Assert.Equal(model.Registration.Price, await chain.BalanceAsync(address));
        Assert.Equal(escrowBefore - model.Registration.Price, await chain.BalanceAsync(chain.Market.Address));
        Assert.Equal(BigInteger.Zero, await chain.Market.GetCreditAsync(address));
    }

    [Fact]
    public async Task Withdraw_with_nothing_credited_is_rejected()
    {
        var fresh = chain.Senders[8]; // never credited by any test
        await AssertRejected("NothingToWithdraw", null, () => chain.MarketAs(fresh).WithdrawAsync());
    }
}
