using System.Numerics;
using Zkml.Market;
using Zkml.TestSupport;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Zkml.OnChain.Tests;

/// <summary>The live anvil node test.sh starts (ZKML_TEST_RPC_URL), its funded dev accounts and one Solidity compiler.</summary>
public sealed class OnChainFixture : IAsyncLifetime
{
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
        Rpc.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class OnChainCollection : ICollectionFixture<OnChainFixture>
{
    public const string Name = "on-chain";
}
