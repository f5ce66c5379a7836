namespace Zkml.Market;

/// <summary>
/// Solidity could not be compiled: the source has errors (<see cref="Errors"/> holds solc's messages), or the compiler
/// itself (Node.js or solc-js) is missing or failed.
/// </summary>
public sealed class SolidityCompilationException : MarketException
{
    /// <summary>Creates the exception.</summary>
    public SolidityCompilationException(string message, IReadOnlyList<string>? errors = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Errors = errors ?? [];
    }

    /// <summary>solc's error messages, when the source did not compile; empty when the compiler could not run.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>True when Node.js or solc-js could not be found or started (nothing was wrong with the source).</summary>
    public bool IsCompilerMissing { get; init; }
}
