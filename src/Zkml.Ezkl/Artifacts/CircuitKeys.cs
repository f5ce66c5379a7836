namespace Zkml.Ezkl;

/// <summary>The keys a setup produces for one circuit and SRS.</summary>
/// <param name="VerifyingKey">The verifying key (vk.key).</param>
/// <param name="ProvingKey">The proving key (pk.key).</param>
public sealed record CircuitKeys(VerifyingKey VerifyingKey, ProvingKey ProvingKey);
