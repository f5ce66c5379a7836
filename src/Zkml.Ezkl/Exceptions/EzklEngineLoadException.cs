namespace Zkml.Ezkl;

/// <summary>
/// The ezkl engine could not be loaded: the engine file is missing or does not match its expected sha256,
/// or Wasmtime could not compile or instantiate it.
/// </summary>
public sealed class EzklEngineLoadException : EzklException
{
    /// <summary>Creates the exception with a message and its cause.</summary>
    public EzklEngineLoadException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
