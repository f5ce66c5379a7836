using System.Numerics;
using System.Security.Cryptography;
using Xunit.Abstractions;

namespace Zkml.Market.Tests;

/// <summary>
/// A seeded random sequence of market operations on a fresh market (register, request, lock and takeover, fulfil by the
/// locker or by others, refund, withdraw, time travel, calls that must fail). After every step: the market's ether equals
/// credits + escrowed payments and collateral + burned collateral, and every account's credit, the burned total and
/// each touched request's escrow equal what an indexer rebuilt from the events alone.
/// </summary>
[Collection(AnvilCollection.Name)]
public class InvariantTests(AnvilChain chain, ITestOutputHelper output)
{
    /// <summary>Steps of the in-suite run; ZKML_INVARIANT_STEPS runs a longer one (and ZKML_INVARIANT_SEED another seed).</summary>
    private static int Steps => int.TryParse(Environment.GetEnvironmentVariable("ZKML_INVARIANT_STEPS"), out var steps) ? steps : 1000;

    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("ZKML_INVARIANT_SEED"), out var seed) ? seed : 20261203;

    private sealed record Model(byte[] Id, AttestationVerifierClient Verifier, BigInteger Price, int Inputs);

    private sealed record Req(BigInteger Id, Model Model, BigInteger[] Instances);

    /// <summary>Balances as an indexer rebuilds them from events only.</summary>
    private sealed class Books
    {
        public Dictionary<EthereumAddress, BigInteger> Credits { get; } = [];

        public Dictionary<BigInteger, BigInteger> Escrow { get; } = [];

        public BigInteger Burned { get; private set; }

        public void Apply(MarketEvent e)
        {
            switch (e)
            {
                case ProofRequestedEvent r:
                    Escrow[r.RequestId] = r.Payment;
                    break;
                case RequestLockedEvent l:
                    Escrow[l.RequestId] += l.Collateral;
                    break;
                case CollateralSlashedEvent s: // the requester's share leaves escrow with its Credited event
                    Escrow[s.RequestId] -= s.Burned;
                    Burned += s.Burned;
                    break;
                case CreditedEvent c:
                    Escrow[c.RequestId] -= c.Amount;
                    Credits[c.Account] = Credits.GetValueOrDefault(c.Account) + c.Amount;
                    break;
                case WithdrawalEvent w:
                    Credits[w.Account] -= w.Amount;
                    break;
            }
        }
    }

    [Fact]
    public async Task Random_operations_keep_the_books_balanced_and_rebuildable_from_events()
    {
        var rng = new Random(Seed);
        var fast = chain.Keys.Select(k => new TransactionSender(chain.Rpc, k, new TransactionSenderOptions { ReceiptPollingInterval = TimeSpan.FromMilliseconds(2) }))
            .ToArray();
        var deployer = fast[0];
        TransactionSender[] providers = [fast[1], fast[3]];
        TransactionSender[] requesters = [fast[2], fast[7]];
        TransactionSender[] provers = [fast[1], fast[3], fast[9]];
        var accounts = providers.Concat(requesters).Concat(provers).Select(s => s.Address).Distinct().ToArray();
        var market = await ProofMarketClient.DeployAsync(deployer, AnvilChain.SlashBasisPoints);
        var indexer = new RequestIndexer(market, new RequestIndexerOptions { StartBlock = await chain.Rpc.GetBlockNumberAsync() });
        var books = new Books();
        EventCursor? cursor = null;
        var models = new List<Model>();
        var requests = new List<Req>();
        var outcomes = new SortedDictionary<string, (int Ok, int Failed)>();
        T Pick<T>(IReadOnlyList<T> items) => items[rng.Next(items.Count)];
        Req Recent() => requests[Math.Max(0, requests.Count - 1 - rng.Next(8))]; // mostly requests still in play
        BigInteger[] Instances(int inputs) => Enumerable.Range(0, inputs + 2).Select(_ => (BigInteger)rng.Next(1000)).ToArray();

        async Task<BigInteger?> RegisterAsync()
        {
            var provider = Pick(providers);
            var vk = RandomNumberGenerator.GetBytes(64);
            var id = ProofMarketClient.ComputeModelId(provider.Address, vk);
            var verifier = await AttestationVerifierClient.DeployAsync(deployer, id, deployer.Address, chain.Committee.Select(k => k.Address).ToArray(), 2);
            var price = new BigInteger(rng.Next(1, 1000)) * 1_000_000_000;
            var inputs = rng.Next(0, 3);
            await market.WithSender(provider).RegisterModelAsync(new ModelRegistration(ProofMarketClient.ComputeVerifyingKeyHash(vk), verifier.Address, price,
                new BigInteger(rng.Next(1, 1000)) * 1_000_000_000, TimeSpan.FromSeconds(rng.Next(30, 900)), inputs, "s3://m"));
            models.Add(new Model(id, verifier, price, inputs));
            return null;
        }

        async Task<BigInteger?> RequestAsync()
        {
            var model = Pick(models);
            var instances = Instances(model.Inputs);
            var deadline = DateTimeOffset.FromUnixTimeSeconds(await chain.NowAsync() + rng.Next(60, 3600));
            var payment = model.Price + new BigInteger(rng.Next(0, 3)) * model.Price;
            var submission = await market.WithSender(Pick(requesters)).RequestProofAsync(
                model.Id, ProofMarketClient.ComputeInstancesHash(instances.Take(model.Inputs)), "s3://in", deadline, payment);
            requests.Add(new Req(submission.RequestId, model, instances));
            return submission.RequestId;
        }

        async Task<BigInteger?> LockAsync()
        {
            var request = rng.Next(5) > 0 ? Recent() : Pick(requests);
            var prover = market.WithSender(Pick(provers));
            await prover.LockAsync(request.Id, await prover.GetRequiredCollateralAsync(request.Id));
            return request.Id;
        }

        async Task<BigInteger?> FulfilAsync()
        {
            var request = rng.Next(5) > 0 ? Recent() : Pick(requests);
            var state = await market.GetRequestAsync(request.Id);
            // Mostly the locker (with an attestation made out to it); sometimes a copier with the locker's attestation.
            var prover = rng.Next(4) > 0 && provers.FirstOrDefault(p => p.Address == state.Prover) is { } locker ? locker : Pick(provers);
            var digest = Attestation.Digest(chain.ChainId, request.Model.Verifier.Address, request.Model.Id, market.Address, request.Id,
                state.Prover.IsZero ? prover.Address : state.Prover, [1, 2, 3], request.Instances);
            var proof = Attestation.EncodeProof([1, 2, 3], digest, [chain.Committee[0].Sign(digest), chain.Committee[1].Sign(digest)]);
            await market.WithSender(prover).FulfilAsync(request.Id, proof, request.Instances, "s3://p");
            return request.Id;
        }

        async Task<BigInteger?> RefundAsync()
        {
            var request = Pick(requests);
            await market.WithSender(Pick(requesters)).RefundAsync(request.Id);
            return request.Id;
        }

        async Task<BigInteger?> WithdrawAsync()
        {
            var account = Pick(accounts);
            await market.WithSender(fast.First(s => s.Address == account)).WithdrawAsync();
            return null;
        }

        async Task<BigInteger?> TravelAsync()
        {
            await chain.TravelAsync(TimeSpan.FromSeconds(rng.Next(1, 600)));
            return null;
        }

        async Task<BigInteger?> BadCallAsync()
        {
            var request = Pick(requests);
            switch (rng.Next(4))
            {
                case 0: // underpayment
                    var model = request.Model;
                    await market.WithSender(Pick(requesters)).RequestProofAsync(model.Id, new byte[32], "s3://in",
                        DateTimeOffset.FromUnixTimeSeconds(await chain.NowAsync() + 600), model.Price - 1);
                    break;
                case 1: // wrong collateral
                    await market.WithSender(Pick(provers)).LockAsync(request.Id, await market.GetRequiredCollateralAsync(request.Id) + 1);
                    break;
                case 2: // a proof of other inputs
                    var other = request.Instances.Select(i => i + 1).ToArray();
                    var state = await market.GetRequestAsync(request.Id);
                    var digest = Attestation.Digest(chain.ChainId, request.Model.Verifier.Address, request.Model.Id, market.Address, request.Id, state.Prover, [9], other);
                    var sender = provers.FirstOrDefault(p => p.Address == state.Prover) ?? Pick(provers);
                    await market.WithSender(sender).FulfilAsync(request.Id, Attestation.EncodeProof([9], digest, [chain.Committee[0].Sign(digest), chain.Committee[2].Sign(digest)]),
                        other, "s3://p");
                    break;
                default: // an unknown request
                    await market.WithSender(Pick(provers)).LockAsync(request.Id + 1_000_000, 1);
                    break;
            }

            return request.Id;
        }

        (string Name, int Weight, Func<Task<BigInteger?>> Run)[] operations =
        [
            ("register", 3, RegisterAsync), ("request", 24, RequestAsync), ("lock", 20, LockAsync), ("fulfil", 18, FulfilAsync),
            ("refund", 10, RefundAsync), ("withdraw", 8, WithdrawAsync), ("travel", 9, TravelAsync), ("bad call", 8, BadCallAsync),
        ];
        var totalWeight = operations.Sum(o => o.Weight);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await RegisterAsync();
        await RequestAsync();
        for (var step = 0; step < Steps; step++)
        {
            var roll = rng.Next(totalWeight);
            var operation = operations.First(o => (roll -= o.Weight) < 0);
            BigInteger? touched = null;
            bool ok;
            try
            {
                touched = await operation.Run();
                ok = true;
            }
            catch (ContractRevertException)
            {
                ok = false;
            }

            var (okCount, failedCount) = outcomes.GetValueOrDefault(operation.Name);
            outcomes[operation.Name] = ok ? (okCount + 1, failedCount) : (okCount, failedCount + 1);
            Assert.False(operation.Name == "bad call" && ok, $"step {step}: a bad call succeeded");

            // Rebuild from the new events, then check the books against the contract.
            foreach (var e in await indexer.ReadAsync(cursor))
            {
                books.Apply(e);
                cursor = e.Cursor;
            }

            var held = await chain.BalanceAsync(market.Address);
            Assert.True(held == books.Credits.Values.Aggregate(BigInteger.Zero, BigInteger.Add) + books.Escrow.Values.Aggregate(BigInteger.Zero, BigInteger.Add) + books.Burned,
                $"step {step} ({operation.Name}): the market holds {held}, the books say credits + escrow + burned differ");
            Assert.Equal(books.Burned, await market.GetBurnedCollateralAsync());
            foreach (var account in accounts)
            {
                Assert.Equal(books.Credits.GetValueOrDefault(account), await market.GetCreditAsync(account));
            }

            if (touched is { } id && books.Escrow.TryGetValue(id, out var escrow))
            {
                var state = await market.GetRequestAsync(id);
                var expected = state.Status switch
                {
                    ProofRequestStatus.Open => state.Payment,
                    ProofRequestStatus.Locked => state.Payment + state.Collateral,
                    _ => BigInteger.Zero,
                };
                Assert.Equal(expected, escrow);
            }
        }

        // Finally every request: the escrow of the open and locked ones is exactly what the books hold.
        BigInteger escrowed = 0;
        foreach (var request in requests)
        {
            var state = await market.GetRequestAsync(request.Id);
            escrowed += state.Status switch
            {
                ProofRequestStatus.Open => state.Payment,
                ProofRequestStatus.Locked => state.Payment + state.Collateral,
                _ => BigInteger.Zero,
            };
        }

        Assert.Equal(escrowed, books.Escrow.Values.Aggregate(BigInteger.Zero, BigInteger.Add));
        output.WriteLine($"seed {Seed}, {Steps} steps in {clock.Elapsed.TotalSeconds:F1} s; {requests.Count} requests, {models.Count} models");
        foreach (var (name, (ok, failed)) in outcomes)
        {
            output.WriteLine($"{name}: {ok} ok, {failed} reverted");
        }

        // The sequence exercised every path: each operation succeeded and (but travel) also failed at least once.
        Assert.All(outcomes, o => Assert.True(o.Value.Ok > 0 || o.Key == "bad call", $"{o.Key} never succeeded"));
        Assert.All(outcomes.Where(o => o.Key is not ("travel" or "register" or "request")), o => Assert.True(o.Value.Failed > 0, $"{o.Key} never failed"));
        Assert.True(books.Burned > 0, "no lock was ever slashed");
    }
}
