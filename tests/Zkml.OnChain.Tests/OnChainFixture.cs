using System.Numerics;
using Zkml.Ezkl;
using Zkml.Ezkl.Tests.Compilation;
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
    private readonly Lazy<Task<CircuitVerifier>> _sigmoid;
    private readonly Lazy<Task<CircuitVerifier>> _cnn;

    public OnChainFixture()
    {
        _mlp = new(() => CircuitVerifier.BuildAsync("mlp 4-8-3 relu", TestModels.Mlp(5, 4, 8, 3), [0.5, -0.25, 0.75, 0.1], Engine, Compiler, Deployer));
        _sigmoid = new(() => CircuitVerifier.BuildAsync("sigmoid head 4-6-2", TestModels.SigmoidHead(6), [0.3, -0.6, 0.9, 0.2], Engine, Compiler, Deployer));
        _cnn = new(() => CircuitVerifier.BuildAsync("cnn 6x6 conv-relu-avgpool-gemm", TestModels.SmallCnn(7),
            Enumerable.Range(0, 36).Select(i => ((i * 7) % 11 / 10.0) - 0.5).ToArray(), Engine, Compiler, Deployer));
    }

    public EzklEngine Engine { get; } = new(new EzklEngineOptions { MaxInstances = 1 });

    /// <summary>The MLP circuit with its verifier deployed.</summary>
    public Task<CircuitVerifier> MlpAsync() => _mlp.Value;

    /// <summary>A circuit by name: "mlp", "sigmoid" or "cnn".</summary>
    public Task<CircuitVerifier> CircuitAsync(string name) => name switch
    {
        "mlp" => _mlp.Value,
        "sigmoid" => _sigmoid.Value,
        "cnn" => _cnn.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown circuit"),
    };

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
