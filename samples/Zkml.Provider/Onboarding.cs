using System.Diagnostics;
using System.Numerics;
using System.Text.Json;
using Zkml.Ezkl;
using Zkml.Ezkl.Compilation;
using Zkml.Market;
using Zkml.Samples;
using Zkml.Storage;
using Zkml.Storage.Records;

namespace Zkml.Provider;

/// <summary>
/// Onboards the sample model: makes the dataset, trains the MLP in C#, exports ONNX, generates settings,
/// calibrates them on training samples (scales, lookup ranges, smallest logrows), makes (or reuses the cached) SRS for those logrows, compiles and sets up keys,
/// generates, compiles and deploys the model's Halo2 verifier (or, by choice or when the generator refuses the circuit,
/// the committee's AttestationVerifier), stores every artifact, commits the model in the audit trail and registers
/// the model on the market with its verifier.
/// </summary>
public sealed partial class Onboarding(ProviderRuntime runtime, TransactionSender deployer, ILogger<Onboarding> logger)
{
    /// <summary>Runs onboarding; returns the deployment with the model filled in.</summary>
    public async Task<SampleDeployment> RunAsync(SampleDeployment deployment, CancellationToken cancellationToken = default)
    {
        var options = runtime.Options;
        var clock = Stopwatch.StartNew();

        var (x, y) = SampleModel.MakeDataset();
        var model = SampleModel.Train(x, y);
        Log.Trained(logger, x.Length, model.TrainingAccuracy);
        var onnx = model.ToOnnx();

        var compiler = new EzklCompiler();
        var runArgs = new RunArgs
        {
            InputScale = 7,
            ParamScale = 7,
            ScaleRebaseMultiplier = 1,
            DecompBase = 128,
            DecompLegs = 2,
            LookupRange = new IntRange(0, 0),
            InputVisibility = Visibility.Public,
            OutputVisibility = Visibility.Public,
            ParamVisibility = Visibility.Private,
        };
        var generated = compiler.GenerateSettingsWithMinimalLogrows(onnx, runArgs);

        // calibrate-settings on a sample of the training data: scales chosen for the fewest resources that keep
        // the quantized outputs close to the float model's.
        var calibrationData = Enumerable.Range(0, 12).Select(i => ModelInput.FromValues([x[i * x.Length / 12].Select(v => (double)v)])).ToArray();
        var calibration = await compiler.CalibrateSettingsAsync(runtime.Engine, onnx, generated, calibrationData,
            new CalibrationOptions { Target = CalibrationTarget.Resources }, cancellationToken: cancellationToken).ConfigureAwait(false);
        var settings = calibration.Settings;
        var logrows = settings.RunArgs.Logrows;
        Log.Calibrated(logger, calibration.Candidates.Count, calibration.Chosen.InputScale, calibration.Chosen.ParamScale,
            calibration.Chosen.MaxAbsoluteError ?? double.NaN, logrows, settings.TotalAssignments);

        var srs = await LoadOrMakeSrsAsync(logrows, cancellationToken).ConfigureAwait(false);
        var compiled = await compiler.CompileAndSetupAsync(runtime.Engine, onnx, settings, srs, cancellationToken: cancellationToken).ConfigureAwait(false);
        Log.SetUp(logger, compiled.Retries, compiled.Keys.VerifyingKey.Length, compiled.Keys.ProvingKey.Length);

        // The model's own Halo2 verifier, unless the provider chose the committee or the generator refuses the circuit.
        var verification = options.Verification;
        EvmVerifier? evmVerifier = null;
        CompiledContract? verifierContract = null;
        if (verification == ProofVerification.Halo2)
        {
            (evmVerifier, verifierContract) = await GenerateVerifierAsync(compiled, srs, cancellationToken).ConfigureAwait(false);
            verification = verifierContract is null ? ProofVerification.Attestation : verification;
        }

        var store = runtime.Store;
        async Task<ArtifactRef> Put(ReadOnlyMemory<byte> bytes, string contentType) =>
            await store.PutContentAddressedAsync(bytes, "artifacts/", new ArtifactPutOptions { ContentType = contentType }, cancellationToken).ConfigureAwait(false);
        var finalSettings = compiled.Settings.ToJsonBytes();
        var artifacts = new Dictionary<string, ArtifactRef>
        {
            [ModelBundle.Onnx] = await Put(onnx, "application/octet-stream").ConfigureAwait(false),
            [ModelBundle.Settings] = await Put(finalSettings, "application/json").ConfigureAwait(false),
            [ModelBundle.Compiled] = await Put(compiled.Circuit.Bytes, "application/octet-stream").ConfigureAwait(false),
            [ModelBundle.Vk] = await Put(compiled.Keys.VerifyingKey.Bytes, "application/octet-stream").ConfigureAwait(false),
            [ModelBundle.Pk] = await Put(compiled.Keys.ProvingKey.Bytes, "application/octet-stream").ConfigureAwait(false),
            [ModelBundle.SrsName] = await Put(srs.Bytes, "application/octet-stream").ConfigureAwait(false),
        };
        if (evmVerifier is not null)
        {
            artifacts[ModelBundle.VerifierSource] = await Put(System.Text.Encoding.UTF8.GetBytes(evmVerifier.SoliditySource), "text/plain").ConfigureAwait(false);
        }

        // The model id commits to the registering provider (keccak256(abi.encode(provider, keccak256(vk)))).
        var modelIdBytes = ProofMarketClient.ComputeModelId(runtime.Market.Account!.Value, compiled.Keys.VerifyingKey.Bytes.Span);
        var modelId = HexConverter.ToHex(modelIdBytes);
        using (var settingsJson = JsonDocument.Parse(finalSettings))
        {
            await runtime.Records.CommitModelAsync(new ModelCommitment
            {
                ModelId = modelId,
                VkHash = compiled.Keys.VerifyingKey.Sha256,
                Settings = settingsJson.RootElement.Clone(),
                Artifacts = artifacts,
                CreatedAt = DateTimeOffset.UtcNow,
                Description = $"sample MLP {SampleModel.Features}-{SampleModel.Hidden}-{SampleModel.Classes}, trained in C# on {x.Length} examples (accuracy {model.TrainingAccuracy:P1})",
            }, cancellationToken).ConfigureAwait(false);
        }

        EthereumAddress? verifierAddress = null;
        if (verification == ProofVerification.Halo2)
        {
            try
            {
                var deployed = await ProofVerifierContract.DeployAsync(deployer, verifierContract!, cancellationToken: cancellationToken).ConfigureAwait(false);
                verifierAddress = deployed.Address;
                Log.VerifierDeployed(logger, deployed.Address.ToString(), verifierContract!.RuntimeCodeSize, (long)deployed.Deployment!.GasUsed);
            }
            catch (ContractTooLargeException e)
            {
                Log.FallingBackToCommittee(logger, e.Message);
                verification = ProofVerification.Attestation;
            }
        }

        if (verification == ProofVerification.Attestation)
        {
            var committee = options.VerifierUrls.Length > 0
                ? await RemoteMembersAsync(cancellationToken).ConfigureAwait(false)
                : options.CommitteeKeys.Select(k => EthereumKey.FromHex(k).Address).ToArray();
            verifierAddress = (await AttestationVerifierClient.DeployAsync(deployer, modelIdBytes, deployer.Address, committee, options.Threshold, cancellationToken)
                .ConfigureAwait(false)).Address;
        }

        var verifierAt = verifierAddress!.Value;
        var inputCount = (int)compiled.Settings.ModelInstanceShapes[0].Aggregate(1L, (a, b) => a * b);
        await runtime.Market.RegisterModelAsync(new ModelRegistration(ProofMarketClient.ComputeVerifyingKeyHash(compiled.Keys.VerifyingKey.Bytes.Span), verifierAt, BigInteger.Parse(options.PriceWei),
            BigInteger.Parse(options.CollateralWei), TimeSpan.FromSeconds(options.LockDurationSeconds), inputCount,
            StoreUri.For("models/" + modelId + ".json")), cancellationToken).ConfigureAwait(false);
        Log.Registered(logger, modelId, verification == ProofVerification.Halo2 ? "Halo2" : "committee", verifierAt.ToString(), clock.ElapsedMilliseconds);
        return deployment with { ModelId = modelId, VerifierAddress = verifierAt.ToString(), Verification = verification };
    }

    /// <summary>
    /// Generates the model's Halo2 verifier and compiles it with the pinned solc-js; null (and a warning) when the
    /// generator refuses the circuit, so the model falls back to the committee.
    /// </summary>
    private async Task<(EvmVerifier? Verifier, CompiledContract? Contract)> GenerateVerifierAsync(CompiledModel compiled, Srs srs, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        EvmVerifier verifier;
        try
        {
            verifier = await runtime.Engine.CreateEvmVerifierAsync(compiled.Keys.VerifyingKey, compiled.Settings, srs, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (EvmVerifierException e) when (e.Failure == EvmVerifierFailure.UnsupportedCircuit)
        {
            Log.FallingBackToCommittee(logger, e.Message);
            return (null, null);
        }

        var generatedMs = clock.ElapsedMilliseconds;
        clock.Restart();
        var contract = await new SolidityCompiler().CompileAsync(verifier.SoliditySource, verifier.ContractName, cancellationToken).ConfigureAwait(false);
        Log.VerifierGenerated(logger, generatedMs, (long)verifier.GenerationTime.TotalMilliseconds, clock.ElapsedMilliseconds,
            EvmVerifier.DescribeRuntimeCodeSize(contract.RuntimeCodeSize));
        return (verifier, contract);
    }

    private async Task<Srs> LoadOrMakeSrsAsync(int logrows, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(runtime.Options.DataDirectory, "srs");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"kzg{logrows}.srs");
        if (!File.Exists(path))
        {
            var clock = Stopwatch.StartNew();
            await KzgSrs.GenerateUnsafeFileAsync(path, logrows, cancellationToken: cancellationToken).ConfigureAwait(false);
            Log.SrsMade(logger, logrows, path, clock.ElapsedMilliseconds);
        }

        return await Srs.LoadAsync(path, cancellationToken).ConfigureAwait(false);
    }

    private async Task<EthereumAddress[]> RemoteMembersAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        var members = new List<EthereumAddress>();
        foreach (var url in runtime.Options.VerifierUrls)
        {
            var text = await http.GetStringAsync(url.TrimEnd('/') + "/address", cancellationToken).ConfigureAwait(false);
            members.Add(EthereumAddress.Parse(text.Trim().Trim('"')));
        }

        return members.ToArray();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "trained the sample MLP on {Examples} examples: training accuracy {Accuracy:P1}")]
        public static partial void Trained(ILogger logger, int examples, double accuracy);

        [LoggerMessage(2, LogLevel.Information, "calibrated over {Candidates} candidates: input scale {InputScale}, param scale {ParamScale}, max output error {MaxError:G3}; logrows {Logrows}, {Assignments} assignments")]
        public static partial void Calibrated(ILogger logger, int candidates, int inputScale, int paramScale, double maxError, int logrows, long assignments);

        [LoggerMessage(3, LogLevel.Information, "made an (unsafe, local) SRS for logrows {Logrows} at {Path} in {Ms} ms")]
        public static partial void SrsMade(ILogger logger, int logrows, string path, long ms);

        [LoggerMessage(4, LogLevel.Information, "setup done ({Retries} retries): vk {VkBytes} bytes, pk {PkBytes} bytes")]
        public static partial void SetUp(ILogger logger, int retries, int vkBytes, int pkBytes);

        [LoggerMessage(5, LogLevel.Information, "registered model {ModelId} with {Kind} verifier {Verifier}; onboarding took {Ms} ms")]
        public static partial void Registered(ILogger logger, string modelId, string kind, string verifier, long ms);

        [LoggerMessage(6, LogLevel.Information, "generated the Halo2 verifier in {Ms} ms (constraint system read from the engine + generation; generation alone {GenerationMs} ms), compiled by solc-js in {SolcMs} ms: {Size}")]
        public static partial void VerifierGenerated(ILogger logger, long ms, long generationMs, long solcMs, string size);

        [LoggerMessage(7, LogLevel.Information, "deployed the model's Halo2 verifier at {Address}: {Bytes} bytes of runtime code, {Gas} gas")]
        public static partial void VerifierDeployed(ILogger logger, string address, int bytes, long gas);

        [LoggerMessage(8, LogLevel.Warning, "the model cannot be verified on chain, so its proofs go to the attestation committee: {Reason}")]
        public static partial void FallingBackToCommittee(ILogger logger, string reason);
    }
}
