using Zkml.Samples;

namespace Zkml.Verifier;

/// <summary>The verifier node's configuration (section "Verifier").</summary>
public sealed class VerifierOptions
{
    /// <summary>The provider's data directory (deployment.json, and the store with filesystem storage).</summary>
    public string DataDirectory { get; set; } = ".zkml/demo";

    /// <summary>Overrides the RPC URL of deployment.json.</summary>
    public string? RpcUrl { get; set; }

    /// <summary>The member's signing key (default: the first committee development key).</summary>
    public string Key { get; set; } = DevAccounts.Committee[0];

    /// <summary>The shared artifact store.</summary>
    public SampleStorage Storage { get; set; } = new();

    /// <summary>Stops by itself after this many seconds (0: never).</summary>
    public int LifetimeSeconds { get; set; }
}
