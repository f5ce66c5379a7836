namespace Zkml.Ezkl;

/// <summary>The kinds of file the ezkl pipeline reads and writes.</summary>
public enum ArtifactKind
{
    /// <summary><c>settings.json</c>: the circuit's run arguments and sizes (<see cref="CircuitSettings"/>).</summary>
    Settings,

    /// <summary><c>network.compiled</c>: the circuit in ezkl's bincode format (<see cref="CompiledCircuit"/>).</summary>
    CompiledCircuit,

    /// <summary><c>input.json</c>: the model's input data (<see cref="ModelInput"/>).</summary>
    Input,

    /// <summary><c>witness.json</c>: the quantized inputs and outputs of one inference (<see cref="Witness"/>).</summary>
    Witness,

    /// <summary><c>proof.json</c>: a proof with its public instances (<see cref="Proof"/>).</summary>
    Proof,

    /// <summary><c>vk.key</c>: the verifying key (<see cref="VerifyingKey"/>).</summary>
    VerifyingKey,

    /// <summary><c>pk.key</c>: the proving key (<see cref="ProvingKey"/>).</summary>
    ProvingKey,

    /// <summary>A KZG structured reference string (<see cref="Srs"/>).</summary>
    Srs,

    /// <summary>A field element or list of field elements passed to a utility operation.</summary>
    FieldElements,
}
