namespace Zkml.Ezkl;

/// <summary>
/// The ezkl engine rejected a call and returned an error (for example a witness that does not satisfy the
/// circuit, or keys that do not belong to the circuit). The engine instance stays usable.
/// </summary>
public class EzklEngineException : EzklException
{
    /// <summary>Creates the exception for an engine operation.</summary>
    public EzklEngineException(string operation, string engineMessage, Exception? innerException = null)
        : base($"ezkl {operation} failed: {engineMessage}", innerException)
    {
        Operation = operation;
        EngineMessage = engineMessage;
    }

    /// <summary>The engine operation that failed, by its ezkl name (for example <c>prove</c>).</summary>
    public string Operation { get; }

    /// <summary>The engine's own error text.</summary>
    public string EngineMessage { get; }
}
