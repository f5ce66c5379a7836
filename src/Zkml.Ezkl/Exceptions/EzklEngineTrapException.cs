namespace Zkml.Ezkl;

/// <summary>
/// The engine panicked or trapped during a call (typically on input malformed in a way its parsers do not
/// check). The instance that trapped has been discarded and will be replaced; later calls are unaffected.
/// <see cref="EzklEngineException.EngineMessage"/> holds the engine's panic message when it printed one.
/// </summary>
public sealed class EzklEngineTrapException : EzklEngineException
{
    /// <summary>Creates the exception for a trap during an engine operation.</summary>
    public EzklEngineTrapException(string operation, string engineMessage, Exception? innerException = null)
        : base(operation, engineMessage, innerException)
    {
    }
}
