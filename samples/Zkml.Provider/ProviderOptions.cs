using Zkml.Samples;

namespace Zkml.Provider;

/// <summary>The provider host's configuration (section "Provider"; every value also settable as --Provider:Name=value).</summary>
public sealed class ProviderOptions
{
    /// <summary>Where deployment.json, the SRS cache and (with filesystem storage) the artifact store live.</summary>
    public string DataDirectory { get; set; } = ".zkml/demo";

    /// <summary>The chain's JSON-RPC endpoint.</summary>
    public string RpcUrl { get; set; } = "http://127.0.0.1:8545";

    /// <summary>Artifact storage: Kind "filesystem" (under DataDirectory/store) or "s3" (Endpoint, Bucket, AccessKey, SecretKey, Region).</summary>
    public SampleStorage Storage { get; set; } = new();

    /// <summary>Deploys the ProofMarket when deployment.json names none on this chain.</summary>
    public bool Deploy { get; set; } = true;

    /// <summary>Trains, compiles and registers the sample model when it is not registered yet.</summary>
    public bool Onboard { get; set; } = true;

    /// <summary>Runs the proof worker.</summary>
    public bool Worker { get; set; } = true;

    /// <summary>Deploys contracts.</summary>
    public string DeployerKey { get; set; } = DevAccounts.Deployer;

    /// <summary>The provider's account (registers the model, locks, fulfils, is paid).</summary>
    public string ProviderKey { get; set; } = DevAccounts.Provider;

    /// <summary>The account the dashboard's request form pays from.</summary>
    public string ClientKey { get; set; } = DevAccounts.Client;

    /// <summary>Keys of the in-process verifier committee (used when <see cref="VerifierUrls"/> is empty).</summary>
    public string[] CommitteeKeys { get; set; } = DevAccounts.Committee;

    /// <summary>Remote verifier nodes (samples/Zkml.Verifier), e.g. http://127.0.0.1:5090; empty: in-process nodes.</summary>
    public string[] VerifierUrls { get; set; } = [];

    /// <summary>
    /// How the market checks this provider's proofs. <c>Halo2</c> (default): onboarding generates the model's Halo2
    /// Solidity verifier, compiles and deploys it, and the market runs it on every fulfilment. <c>Attestation</c>: the
    /// committee's AttestationVerifier (for circuits the generator refuses; onboarding also falls back to it then).
    /// </summary>
    public ProofVerification Verification { get; set; } = ProofVerification.Halo2;

    /// <summary>Signatures the AttestationVerifier requires.</summary>
    public int Threshold { get; set; } = 2;

    /// <summary>Price of one proof, wei.</summary>
    public string PriceWei { get; set; } = "10000000000000000";

    /// <summary>Collateral to lock a request, wei.</summary>
    public string CollateralWei { get; set; } = "5000000000000000";

    /// <summary>Exclusive lock time, seconds.</summary>
    public int LockDurationSeconds { get; set; } = 600;

    /// <summary>Requests with less time than this before their deadline are not taken (the provider could not finish).</summary>
    public int MinSecondsBeforeDeadline { get; set; } = 30;

    /// <summary>The host stops by itself after this many seconds (0: never).</summary>
    public int LifetimeSeconds { get; set; }

    /// <summary>
    /// Test hook (tests/Zkml.EndToEnd.Tests only; leave unset): while this file exists, the worker holds every request it
    /// starts proving in the Proving state (recorded, nothing proved yet), so a test can kill the host mid-proof
    /// deterministically. Deleting the file lets held and later proofs go on.
    /// </summary>
    public string? HoldProvingWhileFileExists { get; set; }

    /// <summary>Engine instances (parallel engine calls).</summary>
    public int EngineInstances { get; set; } = 2;
}
