namespace Zkml.Ezkl;

// TEMPORARY until the engine branch's EzklException is merged (then this file is deleted).

/// <summary>The root of every error Zkml.Ezkl raises.</summary>
public class EzklException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    public EzklException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
