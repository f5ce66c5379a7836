using System.Numerics;
using Zkml.Market;

namespace Zkml.OnChain.Tests;

/// <summary>
/// A ProofMarket life cycle settled by a generated Halo2 verifier on anvil: the model is registered with its verifier,
/// a request is paid, locked with collateral and fulfilled with the engine's proof; the verifier decides.
/// </summary>
[Collection(OnChainCollection.Name)]
public sealed class MarketSettlementTests(OnChainFixture chain)
{
    private static readonly BigInteger Price = BigInteger.Pow(10, 16);
    private static readonly BigInteger Collateral = BigInteger.Pow(10, 15) * 5;

    private TransactionSender Provider => chain.Senders[1];

    private TransactionSender Requester => chain.Senders[2];

    private async Task<(ProofMarketClient Market, CircuitVerifier Circuit, BigInteger RequestId)> LockedRequestAsync()
    {
        var circuit = await chain.MlpAsync();
        var market = await ProofMarketClient.DeployAsync(chain.Deployer);
        var modelId = ProofMarketClient.ComputeModelId(Provider.Address, circuit.VerifyingKey.Bytes.Span);
        await market.WithSender(Provider).RegisterModelAsync(new ModelRegistration(
            ProofMarketClient.ComputeVerifyingKeyHash(circuit.VerifyingKey.Bytes.Span), circuit.Contract.Address, Price, Collateral, TimeSpan.FromMinutes(10), circuit.InputCount, "s3://models/mlp.json"));

        var commitment = ProofMarketClient.ComputeInstancesHash(circuit.Instances.Take(circuit.InputCount));
        var now = (await chain.Rpc.GetBlockAsync("latest")).Timestamp;
        var request = await market.WithSender(Requester).RequestProofAsync(
            modelId, commitment, "s3://inputs/1.json", DateTimeOffset.FromUnixTimeSeconds(now) + TimeSpan.FromHours(1), Price);
        await market.WithSender(Provider).LockAsync(request.RequestId, Collateral);
        return (market, circuit, request.RequestId);
    }

    [Fact]
    public async Task Fulfil_pays_the_prover_after_the_generated_verifier_accepts_the_proof()
    {
        var (market, circuit, requestId) = await LockedRequestAsync();
        var before = await market.GetCreditAsync(Provider.Address);

        var receipt = await market.WithSender(Provider).FulfilAsync(requestId, circuit.Proof.ProofBytes.ToArray(), circuit.Instances, "s3://proofs/1.json");

        Assert.True(receipt.Succeeded);
        Assert.Equal(before + Price + Collateral, await market.GetCreditAsync(Provider.Address));
        Assert.Equal(ProofRequestStatus.Fulfilled, (await market.GetRequestAsync(requestId)).Status);
    }

    [Fact]
    public async Task A_tampered_proof_is_rejected_with_ProofRejected_and_moves_no_money()
    {
        var (market, circuit, requestId) = await LockedRequestAsync();
        var tampered = circuit.Proof.ProofBytes.ToArray();
        tampered[100] ^= 0x01;
        var providerBalance = await chain.Rpc.GetBalanceAsync(Provider.Address);
        var marketBalance = await chain.Rpc.GetBalanceAsync(market.Address);

        var error = await Assert.ThrowsAsync<ContractRevertException>(
            () => market.WithSender(Provider).FulfilAsync(requestId, tampered, circuit.Instances, "s3://proofs/1.json"));

        Assert.Equal("ProofRejected", error.ErrorName);
        Assert.Equal(requestId, (BigInteger)error.Error!["requestId"]!);
        Assert.Equal(BigInteger.Zero, await market.GetCreditAsync(Provider.Address));
        Assert.Equal(providerBalance, await chain.Rpc.GetBalanceAsync(Provider.Address));
        Assert.Equal(marketBalance, await chain.Rpc.GetBalanceAsync(market.Address));
        Assert.Equal(ProofRequestStatus.Locked, (await market.GetRequestAsync(requestId)).Status);
    }

    [Fact]
    public async Task Changed_output_instances_are_rejected_with_ProofRejected()
    {
        var (market, circuit, requestId) = await LockedRequestAsync();
        var instances = circuit.Instances;
        instances[^1] += 1; // an output: the input commitment still matches, so only the verifier can catch it

        var error = await Assert.ThrowsAsync<ContractRevertException>(
            () => market.WithSender(Provider).FulfilAsync(requestId, circuit.Proof.ProofBytes.ToArray(), instances, "s3://proofs/1.json"));

        Assert.Equal("ProofRejected", error.ErrorName);
        Assert.Equal(ProofRequestStatus.Locked, (await market.GetRequestAsync(requestId)).Status);
    }
}
