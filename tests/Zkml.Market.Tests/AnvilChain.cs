using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Zkml.Market.Abi;
using Zkml.Market.Market;
using Zkml.TestSupport;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Zkml.Market.Tests;

/// <summary>
/// The live anvil node test.sh starts (ZKML_TEST_RPC_URL), its standard funded accounts, and a ProofMarket deployed once
/// for the test collection. Tests travel in time, so they run one at a time.
/// </summary>
public sealed class AnvilChain : IAsyncLifetime
{
    public const int SlashBasisPoints = 5000;

    public EthereumRpcClient Rpc { get; } = new(new Uri(TestServices.RpcUrl));

    /// <summary>The standard dev accounts' keys (<see cref="DevChain"/>), in the node's account order.</summary>
    public EthereumKey[] Keys { get; } = DevChain.Accounts.Select(a => EthereumKey.FromHex(a.PrivateKey)).ToArray();

    public TransactionSender[] Senders { get; private set; } = [];

    public BigInteger ChainId { get; private set; }

    public ProofMarketClient Market { get; private set; } = null!;

    public long DeploymentBlock { get; private set; }

    // Roles, by standard account index.
    public TransactionSender Deployer => Senders[0];

    public TransactionSender Provider => Senders[1];

    public TransactionSender Requester => Senders[2];

    public TransactionSender OtherProver => Senders[3];

    public EthereumKey[] Committee => [Keys[4], Keys[5], Keys[6]];

    public EthereumKey Outsider => Keys[7];

    public async Task InitializeAsync()
    {
        Senders = Keys.Select(k => new TransactionSender(Rpc, k, new TransactionSenderOptions { ReceiptPollingInterval = TimeSpan.FromMilliseconds(20) })).ToArray();
        ChainId = await Rpc.GetChainIdAsync();
        Market = await ProofMarketClient.DeployAsync(Deployer, SlashBasisPoints);
        DeploymentBlock = await Rpc.GetBlockNumberAsync();
    }

    public Task DisposeAsync()
    {
        Rpc.Dispose();
        return Task.CompletedTask;
    }

    public ProofMarketClient MarketAs(TransactionSender sender) => Market.WithSender(sender);

    public async Task<long> NowAsync() => (await Rpc.GetBlockAsync("latest")).Timestamp;

    /// <summary>Moves chain time forward and mines a block (anvil's evm_increaseTime + evm_mine).</summary>
    public async Task TravelAsync(TimeSpan by)
    {
        await Rpc.RequestAsync("evm_increaseTime", [JsonValue.Create((long)by.TotalSeconds)]);
        await Rpc.RequestAsync("evm_mine", []);
    }

    public Task<BigInteger> BalanceAsync(EthereumAddress address) => Rpc.GetBalanceAsync(address);

    /// <summary>A fresh model: a random "verifying key", an AttestationVerifier with a 2-of-3 committee, registered by the provider.</summary>
    public async Task<TestModel> RegisterModelAsync(
        int inputCount = 2, BigInteger? price = null, BigInteger? collateral = null, TimeSpan? lockDuration = null, ProofMarketClient? market = null,
        TransactionSender? provider = null)
    {
        provider ??= Provider;
        var vk = RandomNumberGenerator.GetBytes(256);
        var modelId = ProofMarketClient.ComputeModelId(provider.Address, vk);
        var verifier = await AttestationVerifierClient.DeployAsync(Deployer, modelId, Deployer.Address, Committee.Select(k => k.Address).ToArray(), 2);
        var registration = new ModelRegistration(ProofMarketClient.ComputeVerifyingKeyHash(vk), verifier.Address, price ?? Wei.Ether(1) / 100,
            collateral ?? Wei.Ether(1) / 200, lockDuration ?? TimeSpan.FromMinutes(10), inputCount, "s3://models/" + HexConverter.ToHex(modelId));
        market ??= Market;
        var submission = await market.WithSender(provider).RegisterModelAsync(registration);
        Assert.Equal(modelId, submission.ModelId);
        return new TestModel(this, market, registration, modelId, verifier, submission.Receipt);
    }

    /// <summary>Loads a test-only contract compiled by contracts/build.js.</summary>
    internal static ContractAbi TestContract(string name) =>
        ContractInvoker.LoadFrom(typeof(AnvilChain).Assembly, $"Zkml.Market.Tests.Contracts.{name}.json");
}

public static class Wei
{
    public static BigInteger Ether(int ether) => BigInteger.Pow(10, 18) * ether;
}

/// <summary>A registered model with its attestation committee, and helpers to make attested proofs for it.</summary>
public sealed record TestModel(AnvilChain Chain, ProofMarketClient Market, ModelRegistration Registration, byte[] Id, AttestationVerifierClient Verifier, TransactionReceipt Receipt)
{
    /// <summary>Public instances: the inputs first, then two outputs.</summary>
    public static BigInteger[] Instances(params long[] values) => values.Select(v => (BigInteger)v).ToArray();

    public byte[] InputCommitment(IReadOnlyList<BigInteger> instances) =>
        ProofMarketClient.ComputeInstancesHash(instances.Take(Registration.InputInstanceCount));

    public byte[] Digest(BigInteger requestId, EthereumAddress prover, byte[] snarkProof, IReadOnlyList<BigInteger> instances) =>
        Attestation.Digest(Chain.ChainId, Verifier.Address, Id, Market.Address, requestId, prover, snarkProof, instances);

    /// <summary>The fulfil proof bytes for the provider as prover, signed by the given keys (committee members 0 and 2 by default).</summary>
    public byte[] AttestedProof(BigInteger requestId, byte[] snarkProof, IReadOnlyList<BigInteger> instances, params EthereumKey[] signers) =>
        AttestedProofFor(Chain.Provider.Address, requestId, snarkProof, instances, signers);

    /// <summary>The fulfil proof bytes for a prover, signed by the given keys (committee members 0 and 2 by default).</summary>
    public byte[] AttestedProofFor(EthereumAddress prover, BigInteger requestId, byte[] snarkProof, IReadOnlyList<BigInteger> instances, params EthereumKey[] signers)
    {
        if (signers.Length == 0)
        {
            signers = [Chain.Committee[0], Chain.Committee[2]];
        }

        var digest = Digest(requestId, prover, snarkProof, instances);
        return Attestation.EncodeProof(snarkProof, digest, signers.Select(k => k.Sign(digest)));
    }

    /// <summary>Locks a request with the collateral it requires (by the provider unless told).</summary>
    public Task<TransactionReceipt> LockAsync(BigInteger requestId, TransactionSender? prover = null) =>
        Market.WithSender(prover ?? Chain.Provider).LockAsync(requestId);

    /// <summary>A request, locked by the provider.</summary>
    public async Task<BigInteger> RequestAndLockAsync(IReadOnlyList<BigInteger> instances, TimeSpan? deadlineIn = null)
    {
        var requestId = await RequestAsync(instances, deadlineIn);
        await LockAsync(requestId);
        return requestId;
    }

    /// <summary>A request by the requester with the model's price, deadline one hour of chain time ahead.</summary>
    public async Task<BigInteger> RequestAsync(IReadOnlyList<BigInteger> instances, TimeSpan? deadlineIn = null)
    {
        var deadline = DateTimeOffset.FromUnixTimeSeconds(await Chain.NowAsync()) + (deadlineIn ?? TimeSpan.FromHours(1));
        var submission = await Market.WithSender(Chain.Requester).RequestProofAsync(Id, InputCommitment(instances), "s3://inputs/x.json", deadline, Registration.Price);
        return submission.RequestId;
    }
}

[CollectionDefinition(Name)]
public sealed class AnvilCollection : ICollectionFixture<AnvilChain>
{
    public const string Name = "anvil";
}
