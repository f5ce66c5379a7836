namespace Zkml.Ezkl;

/// <summary>Progress of a long engine operation, reported between its stages.</summary>
/// <param name="Operation">The operation (for example <c>setup</c> or <c>prove</c>).</param>
/// <param name="Stage">The stage just reached.</param>
/// <param name="Fraction">Completed fraction in [0, 1], by stage.</param>
public readonly record struct EzklProgress(string Operation, EzklStage Stage, double Fraction);

/// <summary>Stages of an engine operation.</summary>
public enum EzklStage
{
    /// <summary>Waiting for a free engine instance.</summary>
    WaitingForInstance,

    /// <summary>Generating the verifying key.</summary>
    GeneratingVerifyingKey,

    /// <summary>Generating the proving key.</summary>
    GeneratingProvingKey,

    /// <summary>Generating the witness.</summary>
    GeneratingWitness,

    /// <summary>Proving.</summary>
    Proving,

    /// <summary>Verifying.</summary>
    Verifying,

    /// <summary>Done.</summary>
    Completed,

    /// <summary>Reading the verifying key's constraint system from the engine (EVM verifier generation).</summary>
    ExtractingConstraintSystem,

    /// <summary>Writing the Solidity verifier.</summary>
    GeneratingVerifier,
}
