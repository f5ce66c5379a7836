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
/// stores every artifact, commits the model in the audit trail, deploys the model's AttestationVerifier
/// committee contract and registers the model on the market.
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

        var committee = options.VerifierUrls.Length > 0
            ? await RemoteMembersAsync(cancellationToken).ConfigureAwait(false)
            : options.CommitteeKeys.Select(k => EthereumKey.FromHex(k).Address).ToArray();
        var verifier = await AttestationVerifierClient.DeployAsync(deployer, modelIdBytes, deployer.Address, committee, options.Threshold, cancellationToken)
            .ConfigureAwait(false);
        var inputCount = (int)compiled.Settings.ModelInstanceShapes[0].Aggregate(1L, (a, b) => a * b);
        await runtime.Market.RegisterModelAsync(new ModelRegistration(ProofMarketClient.ComputeVerifyingKeyHash(compiled.Keys.VerifyingKey.Bytes.Span), verifier.Address, BigInteger.Parse(options.PriceWei),
            BigInteger.Parse(options.CollateralWei), TimeSpan.FromSeconds(options.LockDurationSeconds), inputCount,
            StoreUri.For("models/" + modelId + ".json")), cancellationToken).ConfigureAwait(false);
        Log.Registered(logger, modelId, verifier.Address.ToString(), clock.ElapsedMilliseconds);
        return deployment with { ModelId = modelId, VerifierAddress = verifier.Address.ToString() };
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

        [LoggerMessage(5, LogLevel.Information, "registered model {ModelId} with committee verifier {Verifier}; onboarding took {Ms} ms")]
        public static partial void Registered(ILogger logger, string modelId, string verifier, long ms);
    }
}
