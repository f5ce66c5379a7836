using System.Numerics;
using Zkml.Ezkl;
using Zkml.Ezkl.Compilation;
using Zkml.Ezkl.Onnx;
using Zkml.Market;

namespace Zkml.OnChain.Tests;

/// <summary>
/// A small circuit built from ONNX in C# (an MLP with ReLU: public inputs, public outputs, private weights), set up and
/// proved by the real engine, with its generated Halo2 verifier compiled by solc-js and deployed on anvil.
/// </summary>
public sealed record CircuitVerifier(
    string Name,
    CircuitSettings Settings,
    VerifyingKey VerifyingKey,
    Srs Srs,
    Proof Proof,
    byte[] EngineCalldata,
    EvmVerifier Verifier,
    CompiledContract Compiled,
    ProofVerifierContract Contract,
    TimeSpan ExtractionAndGeneration)
{
    /// <summary>The proof's public instances, flattened (inputs first).</summary>
    public BigInteger[] Instances => Proof.Instances.SelectMany(column => column).Select(felt => felt.Value).ToArray();

    /// <summary>How many of the instances are the model's inputs.</summary>
    public int InputCount => (int)Settings.ModelInstanceShapes[0].Aggregate(1L, (a, b) => a * b);

    public static async Task<CircuitVerifier> BuildAsync(
        string name, byte[] onnx, double[] input, EzklEngine engine, SolidityCompiler compiler, TransactionSender deployer, CancellationToken cancellationToken = default)
    {
        var compilerEngine = new EzklCompiler();
        var args = new RunArgs
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
        var settings = compilerEngine.GenerateSettingsWithMinimalLogrows(onnx, args, maxLogrows: 12);

        // Lookup tables (Sigmoid's) must cover the values the input produces: calibrate the range on the input.
        var calibration = await compilerEngine.CalibrateSettingsAsync(engine, onnx, settings, [ModelInput.FromValues([input])],
            new CalibrationOptions { Scales = [7], RebaseMultipliers = [1], MaxLogrows = 12 }, cancellationToken: cancellationToken);
        settings = calibration.Settings;
        var srs = await KzgSrs.GenerateUnsafeAsync(settings.RunArgs.Logrows, cancellationToken: cancellationToken);
        var model = await compilerEngine.CompileAndSetupAsync(engine, onnx, settings, srs, cancellationToken: cancellationToken);
        var witness = await engine.GenerateWitnessAsync(model.Circuit, ModelInput.FromValues([input]), cancellationToken);
        var proof = await engine.ProveAsync(witness, model.Keys.ProvingKey, model.Circuit, srs, cancellationToken: cancellationToken);
        var calldata = await engine.EncodeEvmCalldataAsync(proof, cancellationToken: cancellationToken);
        var offChain = await engine.VerifyAsync(proof, model.Keys.VerifyingKey, model.Settings, srs, cancellationToken);
        if (!offChain.IsValid)
        {
            throw new InvalidOperationException($"{name}: the engine itself rejects the proof ({offChain.Reason}); the test circuit is wrong.");
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var verifier = await engine.CreateEvmVerifierAsync(model.Keys.VerifyingKey, model.Settings, srs, cancellationToken: cancellationToken);
        var elapsed = clock.Elapsed;
        var compiled = await compiler.CompileAsync(verifier.SoliditySource, verifier.ContractName, cancellationToken);
        var contract = await ProofVerifierContract.DeployAsync(deployer, compiled, cancellationToken: cancellationToken);
        return new CircuitVerifier(name, model.Settings, model.Keys.VerifyingKey, srs, proof, calldata, verifier, compiled, contract, elapsed);
    }
}
