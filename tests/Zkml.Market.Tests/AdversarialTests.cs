using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Zkml.Market.Abi;
using Zkml.Market.Market;

namespace Zkml.Market.Tests;

/// <summary>
/// The attacks of the December 2026 review, on the live anvil node: copied fulfil calldata, squatted registrations,
/// free locks, unbounded parameters, poison events, and the exact time boundaries of every deadline.
/// </summary>
[Collection(AnvilCollection.Name)]
public class AdversarialTests(AnvilChain chain)
{
    private static readonly AbiMember Fulfil = ContractInvoker.ProofMarketAbi.Function("fulfil");

    private static string? RevertName(RpcException e) =>
        e.Data is { Length: >= 10 } hex ? ContractInvoker.DecodeError(HexConverter.FromHex(hex))?.Name : null;

    [Fact]
    public async Task Copied_fulfil_calldata_is_worthless_before_and_after_the_lock_deadline()
    {
        var model = await chain.RegisterModelAsync(lockDuration: TimeSpan.FromMinutes(2));
        var instances = TestModel.Instances(3, 4, 5);
        var requestId = await model.RequestAndLockAsync(instances);
        var calldata = Fulfil.EncodeCall(requestId, model.AttestedProof(requestId, [1, 2], instances), instances.Cast<object?>().ToArray(), "s3://p");
        var copier = chain.OtherProver;

        // Before the lock deadline: the locker's transaction waits in the pool, the copier sends the same calldata.
        await chain.Rpc.RequestAsync("evm_setAutomine", [JsonValue.Create(false)]);
        string lockerHash;
        try
        {
            lockerHash = await chain.Provider.SubmitAsync(new TransactionRequest(chain.Market.Address, calldata));
            var pooled = await chain.Rpc.RequestAsync("eth_getTransactionByHash", [lockerHash]);
            var copied = HexConverter.FromHex(pooled.GetProperty("input").GetString()!);
            Assert.Equal(calldata, copied);
            var before = await Assert.ThrowsAsync<RpcException>(() => chain.Rpc.CallAsync(copier.Address, new TransactionRequest(chain.Market.Address, copied), "latest"));
            Assert.Equal("NotLocker", RevertName(before));
            // Sent for real it is refused at estimation (which already sees the locker's pending fulfil).
            await Assert.ThrowsAsync<RpcException>(() => copier.SendAsync(new TransactionRequest(chain.Market.Address, copied)));
            await chain.Rpc.RequestAsync("evm_mine", []);
        }
        finally
        {
            await chain.Rpc.RequestAsync("evm_setAutomine", [JsonValue.Create(true)]);
        }

        Assert.True((await chain.Provider.WaitForReceiptAsync(lockerHash)).Succeeded);
        Assert.Equal(ProofRequestStatus.Fulfilled, (await chain.Market.GetRequestAsync(requestId)).Status);
        Assert.Equal(chain.Provider.Address, (await chain.Market.GetRequestAsync(requestId)).Prover);

        // After the lock deadline: replaying still fails; even taking the lock over first (which slashes the late
        // locker) does not make the copy pay, because the attestation names the locker as prover.
        var second = await model.RequestAndLockAsync(instances);
        var late = Fulfil.EncodeCall(second, model.AttestedProof(second, [1, 2], instances), instances.Cast<object?>().ToArray(), "s3://p");
        await chain.TravelAsync(TimeSpan.FromMinutes(3));
        var after = await Assert.ThrowsAsync<RpcException>(() => copier.SendAsync(new TransactionRequest(chain.Market.Address, late)));
        Assert.Equal("NotLocker", RevertName(after));
        await model.LockAsync(second, copier);
        var takenOver = await Assert.ThrowsAsync<RpcException>(() => copier.SendAsync(new TransactionRequest(chain.Market.Address, late)));
        Assert.Equal("UnknownSigner", RevertName(takenOver));
        Assert.Equal(ProofRequestStatus.Locked, (await chain.Market.GetRequestAsync(second)).Status);
    }

    [Fact]
    public async Task Registration_cannot_be_squatted_the_model_id_commits_to_the_provider()
    {
        var vk = RandomNumberGenerator.GetBytes(512);
        var vkHash = ProofMarketClient.ComputeVerifyingKeyHash(vk);
        var honestId = ProofMarketClient.ComputeModelId(chain.Provider.Address, vk);
        var honestVerifier = await AttestationVerifierClient.DeployAsync(chain.Deployer, honestId, chain.Deployer.Address,
            chain.Committee.Select(k => k.Address).ToArray(), 2);
        var alwaysTrue = await ContractInvoker.DeployAsync(chain.Deployer, AnvilChain.TestContract("FixedVerifier"), [AbiType.Parse("bool")], [true], default);

        // The squatter front-runs with the same verifying key hash and an always-true verifier.
        var squat = await chain.MarketAs(chain.OtherProver).RegisterModelAsync(
            new ModelRegistration(vkHash, alwaysTrue, 1, 1, TimeSpan.FromMinutes(1), 0, "s3://squat"));
        Assert.NotEqual(honestId, squat.ModelId);
        Assert.Equal(ProofMarketClient.ComputeModelId(chain.OtherProver.Address, vk), squat.ModelId);

        // The honest registration still gets its id, with its verifier.
        var honest = await chain.MarketAs(chain.Provider).RegisterModelAsync(
            new ModelRegistration(vkHash, honestVerifier.Address, 1000, 1000, TimeSpan.FromMinutes(5), 2, "s3://honest"));
        Assert.Equal(honestId, honest.ModelId);
        var info = await chain.Market.GetModelAsync(honestId);
        Assert.Equal((chain.Provider.Address, honestVerifier.Address), (info.Provider, info.Verifier));
        Assert.Equal(vkHash, info.VerifyingKeyHash);
        Assert.Equal(honestId, await chain.Market.GetModelIdAsync(chain.Provider.Address, vkHash));
    }

    [Fact]
    public async Task Collateral_is_required_and_scales_with_the_payment()
    {
        var verifier = (await chain.RegisterModelAsync()).Verifier.Address;
        var free = await Assert.ThrowsAsync<ContractRevertException>(() => chain.MarketAs(chain.Provider).RegisterModelAsync(
            new ModelRegistration(RandomNumberGenerator.GetBytes(32), verifier, 1000, 0, TimeSpan.FromMinutes(5), 1, "s3://m")));
        Assert.Equal("CollateralRequired", free.ErrorName);

        // A payment of ten times the price needs half the payment as collateral, not the model's small collateral.
        var model = await chain.RegisterModelAsync(price: 1000, collateral: 100);
        var instances = TestModel.Instances(1, 2);
        var deadline = DateTimeOffset.FromUnixTimeSeconds(await chain.NowAsync()) + TimeSpan.FromHours(1);
        var rich = await chain.MarketAs(chain.Requester).RequestProofAsync(model.Id, model.InputCommitment(instances), "s3://in", deadline, 10_000);
        var cheap = await model.RequestAsync(instances);
        Assert.Equal(new BigInteger(5000), await chain.Market.GetRequiredCollateralAsync(rich.RequestId));
        Assert.Equal(new BigInteger(500), await chain.Market.GetRequiredCollateralAsync(cheap));
        var tooLittle = await Assert.ThrowsAsync<ContractRevertException>(() => chain.MarketAs(chain.Provider).LockAsync(rich.RequestId, 100));
        Assert.Equal("IncorrectCollateral", tooLittle.ErrorName);
        Assert.Equal(new BigInteger(5000), tooLittle.Error!["required"]);
        await model.LockAsync(rich.RequestId);
        Assert.Equal(new BigInteger(5000), (await chain.Market.GetRequestAsync(rich.RequestId)).Collateral);
    }

    [Fact]
    public async Task Parameters_are_bounded()
    {
        var template = await chain.RegisterModelAsync();
        var market = chain.MarketAs(chain.Provider);
        async Task<string?> RegisterAsync(TimeSpan lockDuration, int inputs, string uri = "s3://m") =>
            (await Assert.ThrowsAsync<ContractRevertException>(() => market.RegisterModelAsync(
                new ModelRegistration(RandomNumberGenerator.GetBytes(32), template.Verifier.Address, 1, 1, lockDuration, inputs, uri)))).ErrorName;

        Assert.Equal("InvalidLockDuration", await RegisterAsync(TimeSpan.FromSeconds(1L << 39), 1));
        Assert.Equal("InvalidLockDuration", await RegisterAsync(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1), 1));
        Assert.Equal("InvalidLockDuration", await RegisterAsync(TimeSpan.Zero, 1));
        Assert.Equal("TooManyInputInstances", await RegisterAsync(TimeSpan.FromMinutes(1), 65_537));
        Assert.Equal("UriTooLong", await RegisterAsync(TimeSpan.FromMinutes(1), 1, new string('u', 2049)));
        await market.RegisterModelAsync(new ModelRegistration(RandomNumberGenerator.GetBytes(32), template.Verifier.Address, 1, 1,
            TimeSpan.FromDays(7), 65_536, new string('u', 2048)));

        // The poison deadline of the review (year 10000) and anything past 30 days are refused; 30 days is fine.
        var requester = chain.MarketAs(chain.Requester);
        var commitment = template.InputCommitment(TestModel.Instances(1, 2));
        var far = await Assert.ThrowsAsync<ContractRevertException>(() => requester.RequestProofAsync(
            template.Id, commitment, "s3://in", DateTimeOffset.FromUnixTimeSeconds(253402300799), template.Registration.Price));
        Assert.Equal("DeadlineTooFar", far.ErrorName);
        var t = await chain.NowAsync() + 10;
        Assert.Equal(["DeadlineTooFar", "ok"], await BlockAtAsync(t,
            (chain.Requester, "requestProof", template.Registration.Price, [template.Id, commitment, "s3://in", (BigInteger)(t + 30 * 86400 + 1)]),
            (chain.Requester, "requestProof", template.Registration.Price, [template.Id, commitment, "s3://in", (BigInteger)(t + 30 * 86400)])));
    }

    [Fact]
    public async Task Poison_events_are_skipped_and_the_next_normal_request_is_still_seen()
    {
        var abi = AnvilChain.TestContract("PoisonEmitter");
        var address = await ContractInvoker.DeployAsync(chain.Deployer, abi, [], [], default);
        var start = await chain.Rpc.GetBlockNumberAsync();
        var poison = new ContractInvoker(chain.Rpc, abi, address, chain.Requester);
        var modelId = RandomNumberGenerator.GetBytes(32);
        await poison.SendAsync("poisonModel", 0, [modelId], default);
        await poison.SendAsync("poisonRequest", 0, [(BigInteger)1, modelId, (BigInteger)253402300800], default);
        await poison.SendAsync("poisonRequest", 0, [(BigInteger)2, modelId, (BigInteger)ulong.MaxValue], default);
        await poison.SendAsync("truncatedRequest", 0, [(BigInteger)3, modelId], default);
        var deadline = await chain.NowAsync() + 3600;
        await poison.SendAsync("normalRequest", 0, [(BigInteger)4, modelId, (BigInteger)deadline], default);

        // An indexer pointed at the emitter (it speaks the market's event ABI) reads past all four poison logs.
        var events = await new RequestIndexer(new ProofMarketClient(chain.Rpc, address), new RequestIndexerOptions { StartBlock = start }).ReadAsync();
        var normal = Assert.IsType<ProofRequestedEvent>(Assert.Single(events));
        Assert.Equal(new BigInteger(4), normal.RequestId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(deadline), normal.Deadline);

        // A stream does the same, and keeps following: the next request arrives while it runs.
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var indexer = new RequestIndexer(new ProofMarketClient(chain.Rpc, address),
            new RequestIndexerOptions { StartBlock = start, PollingInterval = TimeSpan.FromMilliseconds(20) });
        var seen = new List<BigInteger>();
        await foreach (var e in indexer.StreamAsync(null, cts.Token))
        {
            seen.Add(((ProofRequestedEvent)e).RequestId);
            if (seen.Count == 1)
            {
                await poison.SendAsync("poisonRequest", 0, [(BigInteger)5, modelId, (BigInteger)253402300800], default);
                await poison.SendAsync("normalRequest", 0, [(BigInteger)6, modelId, (BigInteger)deadline], default);
            }
            else
            {
                break;
            }
        }

        Assert.Equal([4, 6], seen.Select(s => (int)s));
        var bad = Assert.Throws<EthereumFormatException>(() => ProofMarketClient.DecodeEvent(new LogEntry(address,
            [ContractInvoker.ProofMarketAbi.Event("ProofRequested").Topic, new byte[32], new byte[32], new byte[32]], new byte[32], 1, "0x", "0x", 0, false)));
        Assert.Contains("ProofRequested", bad.Message);
    }

    /// <summary>
    /// Mines the market calls, in order, in one block at exactly <paramref name="timestamp"/> (fixed gas, no estimation, so
    /// the block's time decides); returns "ok" for each call that succeeded and the custom error of each that reverted.
    /// </summary>
    private async Task<string[]> BlockAtAsync(long timestamp, params (TransactionSender Sender, string Function, BigInteger Value, object?[] Arguments)[] calls)
    {
        var sent = new List<(TransactionSender Sender, TransactionRequest Request, string Hash)>();
        await chain.Rpc.RequestAsync("evm_setAutomine", [JsonValue.Create(false)]);
        try
        {
            foreach (var (sender, function, value, arguments) in calls)
            {
                var request = new TransactionRequest(chain.Market.Address, ContractInvoker.ProofMarketAbi.Function(function).EncodeCall(arguments), value, 1_000_000);
                sent.Add((sender, request, await sender.SubmitAsync(request)));
            }

            await chain.Rpc.RequestAsync("evm_setNextBlockTimestamp", [JsonValue.Create(timestamp)]);
            await chain.Rpc.RequestAsync("evm_mine", []);
        }
        finally
        {
            await chain.Rpc.RequestAsync("evm_setAutomine", [JsonValue.Create(true)]);
        }

        var outcomes = new List<string>();
        foreach (var (sender, request, hash) in sent)
        {
            var receipt = await sender.WaitForReceiptAsync(hash);
            Assert.Equal(timestamp, (await chain.Rpc.GetBlockAsync(receipt.BlockNumber)).Timestamp);
            if (receipt.Succeeded)
            {
                outcomes.Add("ok");
                continue;
            }

            // Replayed on the state of its block (after the block's other transactions): what made it revert.
            var e = await Assert.ThrowsAsync<RpcException>(() => chain.Rpc.CallAsync(sender.Address, request, HexConverter.ToQuantity(receipt.BlockNumber)));
            outcomes.Add(RevertName(e) ?? "(unknown)");
        }

        return outcomes.ToArray();
    }

    [Fact]
    public async Task Deadline_boundaries_are_exact()
    {
        var model = await chain.RegisterModelAsync(lockDuration: TimeSpan.FromMinutes(2));
        var instances = TestModel.Instances(8, 9);
        var collateral = model.Registration.LockCollateral;
        var requester = chain.MarketAs(chain.Requester);
        var deadline = await chain.NowAsync() + 600;
        async Task<BigInteger> RequestAsync() => (await requester.RequestProofAsync(model.Id, model.InputCommitment(instances), "s3://in",
            DateTimeOffset.FromUnixTimeSeconds(deadline), model.Registration.Price)).RequestId;
        var a = await RequestAsync();
        var b = await RequestAsync();
        object?[] FulfilArgs(BigInteger id) => [id, model.AttestedProof(id, [1], instances), instances.Cast<object?>().ToArray(), "s3://p"];

        // t == deadline: lock and fulfil succeed (the lock lasts 0 s), refund is still refused.
        Assert.Equal(["ok", "ok", "DeadlineNotReached"], await BlockAtAsync(deadline,
            (chain.Provider, "lock", collateral, [a]), (chain.Provider, "fulfil", 0, FulfilArgs(a)), (chain.Requester, "refund", 0, [b])));
        Assert.Equal(ProofRequestStatus.Fulfilled, (await chain.Market.GetRequestAsync(a)).Status);
        Assert.Equal(deadline, (await chain.Market.GetRequestAsync(a)).LockDeadline.ToUnixTimeSeconds());
        // t == deadline + 1: no more locks; the refund goes through.
        Assert.Equal(["DeadlineExpired"], await BlockAtAsync(deadline + 1, (chain.Provider, "lock", collateral, [b])));
        Assert.Equal(["ok"], await BlockAtAsync(deadline + 2, (chain.Requester, "refund", 0, [b])));

        // A lock is the locker's through t == lockDeadline; from lockDeadline + 1 another prover may take it over.
        var c = await model.RequestAndLockAsync(instances, TimeSpan.FromMinutes(30));
        var lockDeadline = (await chain.Market.GetRequestAsync(c)).LockDeadline.ToUnixTimeSeconds();
        Assert.Equal(["LockedByAnotherProver"], await BlockAtAsync(lockDeadline, (chain.OtherProver, "lock", collateral, [c])));
        Assert.Equal(["ok"], await BlockAtAsync(lockDeadline + 1, (chain.OtherProver, "lock", collateral, [c])));
        Assert.Equal(chain.OtherProver.Address, (await chain.Market.GetRequestAsync(c)).Prover);

        // The locker may still fulfil after its lock deadline as long as nobody took the lock over.
        var d = await model.RequestAndLockAsync(instances, TimeSpan.FromMinutes(30));
        var dLock = (await chain.Market.GetRequestAsync(d)).LockDeadline.ToUnixTimeSeconds();
        Assert.Equal(["ok"], await BlockAtAsync(dLock + 60, (chain.Provider, "fulfil", 0, FulfilArgs(d))));
        Assert.Equal(ProofRequestStatus.Fulfilled, (await chain.Market.GetRequestAsync(d)).Status);
    }

    [Fact]
    public async Task Signature_edge_cases_v01_high_s_other_chain_other_contract_removed_member()
    {
        var model = await chain.RegisterModelAsync();
        var instances = TestModel.Instances(6, 7);
        var requestId = await model.RequestAndLockAsync(instances);
        byte[] snark = [5, 5, 5];
        var digest = model.Digest(requestId, chain.Provider.Address, snark, instances);
        var signers = new[] { chain.Committee[0], chain.Committee[2] }.OrderBy(k => k.Address).ToArray();
        var n = BigInteger.Parse("0fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", System.Globalization.NumberStyles.HexNumber);

        byte[] Pack(IEnumerable<byte[]> signatures) =>
            AbiType.EncodeParameters([AbiType.Parse("bytes"), AbiType.Parse("bytes")], [snark, signatures.SelectMany(s => s).ToArray()]);
        Task<bool> VerifyAsync(byte[] proof) => model.Verifier.VerifyAsync(proof, instances, chain.Market.Address, requestId, chain.Provider.Address);
        async Task<string?> RejectedAsync(byte[] proof) => (await Assert.ThrowsAsync<ContractRevertException>(() => VerifyAsync(proof))).ErrorName;

        // v as 0/1 instead of 27/28 is accepted
        Assert.True(await VerifyAsync(Pack(signers.Select(k => { var b = k.Sign(digest).ToBytes(); b[64] -= 27; return b; }))));

        // the same signature with s replaced by n - s (and v flipped) recovers the same signer but is malleable: rejected
        var sig = signers[0].Sign(digest);
        var high = new EthereumSignature(sig.R, n - sig.S, 1 - sig.YParity);
        Assert.Equal(signers[0].Address, high.RecoverSigner(digest));
        Assert.Equal("InvalidSignature", await RejectedAsync(Pack([high.ToBytes(), signers[1].Sign(digest).ToBytes()])));

        // signed for another chain, another verifier contract, another market, request or prover: not a member's signature here
        var otherDigests = new[]
        {
            Attestation.Digest(1, model.Verifier.Address, model.Id, chain.Market.Address, requestId, chain.Provider.Address, snark, instances),
            Attestation.Digest(chain.ChainId, chain.Market.Address, model.Id, chain.Market.Address, requestId, chain.Provider.Address, snark, instances),
            Attestation.Digest(chain.ChainId, model.Verifier.Address, model.Id, model.Verifier.Address, requestId, chain.Provider.Address, snark, instances),
            model.Digest(requestId + 1, chain.Provider.Address, snark, instances),
            model.Digest(requestId, chain.OtherProver.Address, snark, instances),
        };
        foreach (var other in otherDigests)
        {
            Assert.Equal("UnknownSigner", await RejectedAsync(Attestation.EncodeProof(snark, other, signers.Select(k => k.Sign(other)))));
        }

        // a member removed by an applied committee change no longer counts
        var good = model.AttestedProof(requestId, snark, instances);
        Assert.True(await VerifyAsync(good));
        await model.Verifier.ProposeCommitteeAsync([chain.Committee[1].Address, chain.Committee[2].Address, chain.Outsider.Address], 2);
        Assert.True(await VerifyAsync(good)); // proposed, not yet applied
        await chain.TravelAsync(TimeSpan.FromDays(31) + TimeSpan.FromSeconds(1));
        await model.Verifier.ApplyCommitteeChangeAsync();
        Assert.Equal("UnknownSigner", await RejectedAsync(good));

        // verifyProof itself only answers a market in the middle of a fulfilment
        var direct = await Assert.ThrowsAsync<ContractRevertException>(() => new ContractInvoker(chain.Rpc, ContractInvoker.AttestationVerifierAbi,
            model.Verifier.Address, chain.Provider).CallAsync("verifyProof", [good, instances.Cast<object?>().ToArray()], default));
        Assert.Equal("NoFulfilmentContext", direct.ErrorName);
    }

    [Fact]
    public async Task Quorum_is_packed_from_valid_member_signatures_despite_garbage_foreign_and_duplicate_ones()
    {
        var model = await chain.RegisterModelAsync();
        var instances = TestModel.Instances(2, 4);
        var requestId = await model.RequestAndLockAsync(instances);
        byte[] snark = [4, 2];
        var digest = model.Digest(requestId, chain.Provider.Address, snark, instances);
        var wrongDigest = model.Digest(requestId + 1, chain.Provider.Address, snark, instances);
        EthereumSignature[] answers =
        [
            new(BigInteger.One, BigInteger.One, 0),                 // garbage
            chain.Outsider.Sign(digest),                            // not a member
            chain.Committee[0].Sign(wrongDigest),                   // a member, for another request
            chain.Committee[2].Sign(digest),
            chain.Committee[2].Sign(digest),                        // a duplicate
            chain.Committee[1].Sign(digest),
        ];

        var proof = await model.Verifier.PackQuorumAsync(snark, digest, answers);
        await chain.MarketAs(chain.Provider).FulfilAsync(requestId, proof, instances, "s3://p");
        Assert.Equal(ProofRequestStatus.Fulfilled, (await chain.Market.GetRequestAsync(requestId)).Status);

        var tooFew = await Assert.ThrowsAsync<InsufficientAttestationsException>(() => model.Verifier.PackQuorumAsync(snark, digest, answers.Take(4)));
        Assert.Equal((1, 2), (tooFew.Valid, tooFew.Threshold));
    }
}
