namespace Zkml.Ezkl;

/// <summary>
/// The EVM verifier can only be generated with ezkl engine 21.0.0: the constraint system is read from that engine's
/// memory in halo2's Debug format, whose grammar and verifier semantics are version-specific. Raised for any other
/// engine file (<see cref="EzklEngineOptions.EnginePath"/> with another sha256).
/// </summary>
public sealed class EvmVerifierEngineException : EvmVerifierException
{
    /// <summary>Creates the exception for the engine file with sha256 <paramref name="engineSha256"/>.</summary>
    public EvmVerifierEngineException(string engineSha256, string requiredVersion, string requiredSha256)
        : base(EvmVerifierFailure.InvalidInput,
            $"The EVM verifier needs ezkl engine {requiredVersion} (ezkl_bg.wasm sha256 {requiredSha256}); the engine in use is another " +
            $"file (sha256 {engineSha256}). Use the default engine (leave EzklEngineOptions.EnginePath unset).")
    {
        EngineSha256 = engineSha256;
        RequiredVersion = requiredVersion;
    }

    /// <summary>The sha256 of the engine file in use.</summary>
    public string EngineSha256 { get; }

    /// <summary>The engine version the generator supports (21.0.0).</summary>
    public string RequiredVersion { get; }
}
