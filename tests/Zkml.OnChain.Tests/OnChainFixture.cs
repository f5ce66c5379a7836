using System.Numerics;
using Zkml.Ezkl;
using Zkml.Market;
using Zkml.TestSupport;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Zkml.OnChain.Tests;

/// <summary>
/// The live anvil node test.sh starts (ZKML_TEST_RPC_URL), its funded dev accounts, one Solidity compiler, one engine,
/// and a small circuit with its generated verifier deployed (built on first use, once for the collection).
/// </summary>
public sealed class OnChainFixture : IAsyncLifetime
{
    private readonly Lazy<Task<CircuitVerifier>> _mlp;

    public OnChainFixture()
    {
        _mlp = new(() => CircuitVerifier.BuildAsync("mlp 4-8-3 relu", CircuitVerifier.Mlp(5, 4, 8, 3), [0.5, -0.25, 0.75, 0.1], Engine, Compiler, Deployer));
    }

    public EzklEngine Engine { get; } = new(new EzklEngineOptions { MaxInstances = 1 });

    /// <summary>The MLP circuit with its verifier deployed.</summary>
    public Task<CircuitVerifier> MlpAsync() => _mlp.Value;

    public EthereumRpcClient Rpc { get; } = new(new Uri(TestServices.RpcUrl));

    public TransactionSender[] Senders { get; private set; } = [];

    public SolidityCompiler Compiler { get; } = new();

    public BigInteger ChainId { get; private set; }

    public TransactionSender Deployer => Senders[0];

    public async Task InitializeAsync()
    {
        Senders = DevChain.Accounts
            .Select(a => new TransactionSender(Rpc, EthereumKey.FromHex(a.PrivateKey), new TransactionSenderOptions { ReceiptPollingInterval = TimeSpan.FromMilliseconds(20) }))
            .ToArray();
        ChainId = await Rpc.GetChainIdAsync();
    }

    public Task DisposeAsync()
    {
        Engine.Dispose();
        Rpc.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class OnChainCollection : ICollectionFixture<OnChainFixture>
{
    public const string Name = "on-chain";
}
