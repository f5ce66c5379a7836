using System.Collections.Concurrent;
using System.Diagnostics;
using Zkml.Ezkl;
using Zkml.Ezkl.Compilation;
using Zkml.Ezkl.Evm;
using Zkml.Ezkl.Tests.Compilation;
using Zkml.Market;
using Zkml.TestSupport;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Zkml.EvmVerifier.Tests;

/// <summary>
/// The real parts the verifier tests share: one ezkl engine, solc-js and the test anvil from test.sh (with the
/// default EIP-170 code-size limit: every verifier here must fit it). Each circuit is built, proved, generated,
/// compiled and deployed once, on first use.
/// </summary>
public sealed class VerifierFixture : IAsyncLifetime
{
    public const string Fixture = "fixture";
    public const string Mlp = "mlp relu";
    public const string Sigmoid = "sigmoid head";
    public const string Cnn = "cnn";
    public const string HashedOutput = "mlp hashed output";

    private static readonly EzklCompiler Compiler = new();
    private readonly ConcurrentDictionary<string, Lazy<Task<VerifierCase>>> _cases = new();

    public EzklEngine Engine { get; private set; } = null!;

    public SolidityCompiler Solc { get; } = new();

    public EthereumRpcClient Rpc { get; } = new(new Uri(TestServices.RpcUrl));

    public async Task InitializeAsync()
    {
        Engine = await EzklEngine.CreateAsync(new EzklEngineOptions { MaxInstances = 1 });
    }

    public async Task DisposeAsync()
    {
        await Engine.DisposeAsync();
        Rpc.Dispose();
    }

    internal Task<VerifierCase> GetAsync(string name) =>
        _cases.GetOrAdd(name, n => new Lazy<Task<VerifierCase>>(() => BuildAsync(n))).Value;

    private async Task<VerifierCase> BuildAsync(string name)
    {
        if (name == Fixture)
        {
            var proof = Proof.Load(TestPaths.Fixture("proof.json"));
            var settings = CircuitSettings.Load(TestPaths.Fixture("settings.json"));
            var vk = VerifyingKey.Load(TestPaths.Fixture("vk.key"));
            return await FinishAsync(name, vk, settings, Srs.Load(TestPaths.Fixture("kzg")), proof);
        }

        var (onnx, input, args) = name switch
        {
            Mlp => (TestModels.Mlp(42, 3, 8, 4), TestModels.Input(42, 3), SmallArgs()),
            Sigmoid => (TestModels.SigmoidHead(3), TestModels.Input(3, 4), SmallArgs()),
            Cnn => (TestModels.SmallCnn(11), TestModels.Input(11, 36), SmallArgs(publicInput: true)),
            HashedOutput => (TestModels.Mlp(22, 3, 5, 2), TestModels.Input(22, 3), SmallArgs(hashedOutput: true)),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        var generated = Compiler.GenerateSettingsWithMinimalLogrows(onnx, args, maxLogrows: 12);
        if (name == Sigmoid)
        {
            // Sigmoid's lookup table must cover the inputs it sees: calibrate the range on the input.
            var calibration = await Compiler.CalibrateSettingsAsync(
                Engine,
                onnx,
                generated,
                [ModelInput.FromValues([input.Select(v => (double)v)])],
                new CalibrationOptions { Scales = [4], RebaseMultipliers = [1], MaxLogrows = 12 });
            generated = calibration.Settings;
        }

        var srs = await KzgSrs.GenerateUnsafeAsync(generated.RunArgs.Logrows);
        var compiled = await Compiler.CompileAndSetupAsync(Engine, onnx, generated, srs);
        var witness = await Engine.GenerateWitnessAsync(compiled.Circuit, ModelInput.FromValues([input.Select(v => (double)v)]));
        var circuitProof = await Engine.ProveAsync(witness, compiled.Keys.ProvingKey, compiled.Circuit, srs);
        var verdict = await Engine.VerifyAsync(circuitProof, compiled.Keys.VerifyingKey, compiled.Settings, srs);
        if (!verdict.IsValid)
        {
            throw new InvalidOperationException($"the engine rejects its own proof of {name}: {verdict.Reason}");
        }

        return await FinishAsync(name, compiled.Keys.VerifyingKey, compiled.Settings, srs, circuitProof);
    }

    private async Task<VerifierCase> FinishAsync(string name, VerifyingKey vk, CircuitSettings settings, Srs srs, Proof proof)
    {
        var key = await Engine.ExtractPinnedVerifyingKeyAsync(vk, settings);
        if (Environment.GetEnvironmentVariable("ZKML_EVM_DUMP") is { Length: > 0 } dump)
        {
            Directory.CreateDirectory(dump);
            await File.WriteAllTextAsync(Path.Combine(dump, name.Replace(' ', '-') + ".pinned.txt"), key.Text);
        }

        var numInstances = EzklEngine.CountEvmInstances(settings);
        var verifier = EvmVerifierGenerator.Generate(key, srs, numInstances);
        if (Environment.GetEnvironmentVariable("ZKML_EVM_DUMP") is { Length: > 0 } folder)
        {
            await File.WriteAllTextAsync(Path.Combine(folder, name.Replace(' ', '-') + ".sol"), verifier.SoliditySource);
        }

        var compiled = await Solc.CompileAsync(verifier.SoliditySource, verifier.ContractName);
        var sender = new TransactionSender(Rpc, EthereumKey.FromHex(DevChain.Accounts[0].PrivateKey), new TransactionSenderOptions { ReceiptPollingInterval = TimeSpan.FromMilliseconds(20) });
        var contract = await ProofVerifierContract.DeployAsync(sender, compiled);
        var calldata = await Engine.EncodeEvmCalldataAsync(proof);
        var (proofBytes, instances) = VerifierCase.Decode(calldata);
        return new VerifierCase(name, key, srs, numInstances, proofBytes, instances, calldata, verifier, compiled, contract);
    }

    /// <summary>Low scales and a small decomposition keep k small, so the suite stays fast.</summary>
    private static RunArgs SmallArgs(bool publicInput = false, bool hashedOutput = false) => new()
    {
        InputScale = 4,
        ParamScale = 4,
        ScaleRebaseMultiplier = 1,
        DecompBase = 16,
        DecompLegs = 2,
        Logrows = 8,
        LookupRange = new IntRange(0, 0),
        InputVisibility = publicInput ? Visibility.Public : Visibility.Private,
        OutputVisibility = hashedOutput ? Visibility.Hashed(true) : Visibility.Public,
    };
}

[CollectionDefinition(Name)]
public sealed class VerifierCollection : ICollectionFixture<VerifierFixture>
{
    public const string Name = "evm verifier";
}
