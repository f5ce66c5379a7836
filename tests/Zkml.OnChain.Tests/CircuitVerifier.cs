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

    /// <summary>Gemm → Relu → Gemm with fixed pseudo-random weights.</summary>
    public static byte[] Mlp(int seed, int inputs, int hidden, int outputs)
    {
        var random = new Random(seed);
        var b = new OnnxModelBuilder();
        var x = b.AddInput("input", [1, inputs], symbolicBatch: "batch_size");
        x = b.Gemm(x, Matrix(random, hidden, inputs), Vector(random, hidden));
        x = b.Relu(x);
        x = b.Gemm(x, Matrix(random, outputs, hidden), Vector(random, outputs));
        b.AddOutput(x, "output", symbolicBatch: "batch_size");
        return b.ToBytes();
    }

    /// <summary>Gemm → Relu → Gemm → Sigmoid (a lookup-table activation).</summary>
    public static byte[] SigmoidHead(int seed)
    {
        var random = new Random(seed);
        var b = new OnnxModelBuilder();
        var x = b.AddInput("input", [1, 4]);
        x = b.Relu(b.Gemm(x, Matrix(random, 6, 4), Vector(random, 6)));
        x = b.Sigmoid(b.Gemm(x, Matrix(random, 2, 6), Vector(random, 2)));
        b.AddOutput(x, "output");
        return b.ToBytes();
    }

    /// <summary>Conv(1→2, 3x3) → Relu → AveragePool(2) → Flatten → Gemm(→3) on a 1x1x6x6 image.</summary>
    public static byte[] SmallCnn(int seed)
    {
        var random = new Random(seed);
        var b = new OnnxModelBuilder();
        var x = b.AddInput("input", [1, 1, 6, 6]);
        x = b.Conv(x, Vector(random, 2 * 9), [2, 1, 3, 3], Vector(random, 2));
        x = b.Relu(x);
        x = b.AveragePool(x, 2, 2);
        x = b.Flatten(x);
        x = b.Gemm(x, Matrix(random, 3, 8), Vector(random, 3));
        b.AddOutput(x, "output");
        return b.ToBytes();
    }

    private static float[,] Matrix(Random random, int rows, int cols)
    {
        var m = new float[rows, cols];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                m[i, j] = (float)((random.NextDouble() * 2) - 1);
            }
        }

        return m;
    }

    private static float[] Vector(Random random, int length) =>
        Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() - 0.5) * 0.5)).ToArray();
}
