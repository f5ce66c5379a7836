namespace Zkml.Ezkl;

/// <summary>A compiled circuit's bytes are not ezkl 21's bincode layout (truncated, an unknown op variant, a value
/// out of range). Thrown by <see cref="CompiledCircuit.Logrows"/> and by the compiler's circuit codec.</summary>
public sealed class CompiledCircuitFormatException : EzklInvalidArtifactException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is malformed and where.</param>
    /// <param name="innerException">The cause, if any.</param>
    public CompiledCircuitFormatException(string message, Exception? innerException = null)
        : base(ArtifactKind.CompiledCircuit, message, innerException)
    {
    }
}
