namespace Zkml.Ezkl;

/// <summary>
/// The root of every error Zkml.Ezkl reports: malformed artifacts, errors returned by the ezkl engine,
/// engine panics and failures to load the engine. Catch this type to handle any ezkl failure.
/// </summary>
public class EzklException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public EzklException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public EzklException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>
    /// True when the same call may succeed if retried unchanged (for example after an engine instance was
    /// replaced because of a resource limit). Malformed input is never transient.
    /// </summary>
    public virtual bool IsTransient => false;
}
