using System.Numerics;
using Zkml.Ezkl;
using Zkml.Market;
using Zkml.Storage;
using Zkml.Storage.Records;

namespace Zkml.Samples;

/// <summary>
/// A registered model's artifacts read back from storage (every read checked against the sha256 the model's
/// commitment records): what proving, verifying and committing to inputs need.
/// </summary>
public sealed class ModelBundle
{
    /// <summary>Artifact names in a <see cref="ModelCommitment"/>.</summary>
    public const string Onnx = "onnx", Settings = "settings", Compiled = "compiled", Vk = "vk", Pk = "pk", SrsName = "srs";

    /// <summary>The Solidity source of the model's generated Halo2 verifier (models verified on chain).</summary>
    public const string VerifierSource = "verifier.sol";

    private ModelBundle(ModelCommitment commitment, CircuitSettings settings, VerifyingKey vk, Srs srs, CompiledCircuit? circuit, ProvingKey? pk)
    {
        Commitment = commitment;
        CircuitSettings = settings;
        VerifyingKey = vk;
        Srs = srs;
        Circuit = circuit;
        ProvingKey = pk;
    }

    /// <summary>The stored commitment.</summary>
    public ModelCommitment Commitment { get; }

    /// <summary>The model id, 0x hex.</summary>
    public string ModelId => Commitment.ModelId;

    /// <summary>The settings.</summary>
    public CircuitSettings CircuitSettings { get; }

    /// <summary>The verifying key.</summary>
    public VerifyingKey VerifyingKey { get; }

    /// <summary>The SRS.</summary>
    public Srs Srs { get; }

    /// <summary>The compiled circuit (provers only).</summary>
    public CompiledCircuit? Circuit { get; }

    /// <summary>The proving key (provers only).</summary>
    public ProvingKey? ProvingKey { get; }

    /// <summary>The input scale (log2).</summary>
    public int InputScale => CircuitSettings.ModelInputScales[0];

    /// <summary>The output scale (log2).</summary>
    public int OutputScale => CircuitSettings.ModelOutputScales[0];

    /// <summary>Input instance count.</summary>
    public int InputCount => (int)CircuitSettings.ModelInstanceShapes[0].Aggregate(1L, (a, b) => a * b);

    /// <summary>Loads a model's artifacts; <paramref name="forProving"/> also loads the circuit and the proving key.</summary>
    /// <exception cref="InvalidOperationException">The model has no commitment in storage.</exception>
    public static async Task<ModelBundle> LoadAsync(IArtifactStore store, MarketRecordStore records, string modelId, bool forProving, CancellationToken cancellationToken = default)
    {
        var commitment = await records.GetModelAsync(modelId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"No model commitment for {modelId} in storage.");
        async Task<byte[]> Read(string name) =>
            await store.ReadAllBytesAsync(commitment.Artifacts[name].Key, cancellationToken).ConfigureAwait(false);
        var settings = CircuitSettings.Parse(await Read(Settings).ConfigureAwait(false));
        var vk = VerifyingKey.FromBytes(await Read(Vk).ConfigureAwait(false));
        var srs = Srs.FromBytes(await Read(SrsName).ConfigureAwait(false));
        CompiledCircuit? circuit = null;
        ProvingKey? pk = null;
        if (forProving)
        {
            circuit = CompiledCircuit.FromBytes(await Read(Compiled).ConfigureAwait(false));
            pk = ProvingKey.FromBytes(await Read(Pk).ConfigureAwait(false));
        }

        return new ModelBundle(commitment, settings, vk, srs, circuit, pk);
    }

    /// <summary>The field elements an input becomes in the circuit (ezkl's quantization at the input scale).</summary>
    public async Task<BigInteger[]> QuantizeAsync(EzklEngine engine, IReadOnlyList<double> input, CancellationToken cancellationToken = default)
    {
        var felts = new BigInteger[input.Count];
        for (var i = 0; i < input.Count; i++)
        {
            felts[i] = (await engine.FloatToFeltAsync(input[i], InputScale, cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }

        return felts;
    }

    /// <summary>The on-chain input commitment of an input.</summary>
    public async Task<byte[]> InputCommitmentAsync(EzklEngine engine, IReadOnlyList<double> input, CancellationToken cancellationToken = default) =>
        ProofMarketClient.ComputeInstancesHash(await QuantizeAsync(engine, input, cancellationToken).ConfigureAwait(false));

    /// <summary>A proof's public instances as integers (inputs first, then outputs).</summary>
    public static BigInteger[] Instances(Proof proof) => proof.Instances.SelectMany(i => i).Select(f => f.Value).ToArray();

    /// <summary>The dequantized outputs of a proof (the instances after the inputs).</summary>
    public double[] Outputs(Proof proof) =>
        proof.Instances.SelectMany(i => i).Skip(InputCount)
            .Select(f => (double)f.ToSignedInteger() / Math.Pow(2, OutputScale)).ToArray();
}
