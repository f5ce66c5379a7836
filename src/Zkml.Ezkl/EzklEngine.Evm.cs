using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Zkml.Ezkl.Engine;
using Zkml.Ezkl.Evm;

namespace Zkml.Ezkl;

public sealed partial class EzklEngine
{
    /// <summary>
    /// Generates the Halo2 Solidity verifier of a verifying key (ezkl <c>create-evm-verifier</c>): ezkl 21's verifier
    /// for the key's constraint system, which returns true for the engine's valid proofs (with the engine's calldata,
    /// <see cref="EncodeEvmCalldataAsync"/>) and reverts otherwise. Deterministic: the same key, settings and SRS give
    /// the same source. Compile it with solc (optimizer on, EVM cancun), e.g. Zkml.Market's <c>SolidityCompiler</c>.
    /// </summary>
    /// <param name="verifyingKey">The circuit's verifying key.</param>
    /// <param name="settings">The circuit's settings (for the engine to load the key, and the number of public instances).</param>
    /// <param name="srs">The SRS the key was made with (its generator and [tau]G2 are embedded in the verifier).</param>
    /// <param name="progress">Receives the stages (reading the constraint system, generating, done).</param>
    /// <param name="cancellationToken">Stops the work between stages, and inside the engine within an epoch tick.</param>
    /// <remarks>
    /// The key's constraint system is read from a fresh engine instance's memory, where halo2 leaves it when it loads
    /// the key, and checked against vk.key and its digest (cached per engine and key). Only engine 21.0.0 is supported.
    /// </remarks>
    /// <exception cref="EvmVerifierEngineException">The engine file is not engine 21.0.0's.</exception>
    /// <exception cref="EvmVerifierException">The circuit uses something the verifier cannot check (<see cref="EvmVerifierFailure.UnsupportedCircuit"/>),
    /// or the constraint system could not be read.</exception>
    /// <exception cref="EzklInvalidArtifactException">The engine does not load the key with these settings.</exception>
    public async ValueTask<EvmVerifier> CreateEvmVerifierAsync(
        VerifyingKey verifyingKey, CircuitSettings settings, Srs srs, IProgress<EzklProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verifyingKey);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(srs);
        var instances = CountEvmInstances(settings);
        progress?.Report(new EzklProgress("create-evm-verifier", EzklStage.ExtractingConstraintSystem, 0.0));
        var pinned = await ExtractPinnedVerifyingKeyAsync(verifyingKey, settings, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        progress?.Report(new EzklProgress("create-evm-verifier", EzklStage.GeneratingVerifier, 0.5));
        var verifier = await Task.Run(() => EvmVerifierGenerator.Generate(pinned, srs, instances), cancellationToken).ConfigureAwait(false);
        EngineLog.EvmVerifierGenerated(_logger, verifier.ContractName, (long)verifier.GenerationTime.TotalMilliseconds, verifier.SoliditySource.Length, instances);
        progress?.Report(new EzklProgress("create-evm-verifier", EzklStage.Completed, 1.0));
        return verifier;
    }

    /// <summary>
    /// Reads the verifying key's constraint system (halo2's pinned key) from a fresh engine instance, checked against
    /// vk.key and its digest; cached per (engine, key).
    /// </summary>
    internal async ValueTask<PinnedVerifyingKey> ExtractPinnedVerifyingKeyAsync(
        VerifyingKey verifyingKey, CircuitSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verifyingKey);
        ArgumentNullException.ThrowIfNull(settings);
        cancellationToken.ThrowIfCancellationRequested();
        var pool = _pool ?? await Task.Run(() => Pool, cancellationToken).ConfigureAwait(false);
        var engineSha256 = pool.Module.Sha256;
        PinnedKeyExtraction.RequireSupportedEngine(engineSha256);
        if (PinnedKeyExtraction.TryGetCached(engineSha256, verifyingKey.Sha256, out var cached) && cached is not null)
        {
            return cached;
        }

        var settingsJson = settings.ToJsonBytes();

        // A fresh instance, not a pooled one: its memory holds no other verifying key, and it is thrown away after.
        var stopwatch = Stopwatch.StartNew();
        using var instance = await Task.Run(pool.CreateInstance, cancellationToken).ConfigureAwait(false);
        PinnedVerifyingKey key;
        try
        {
            key = await instance.RunAsync(() => PinnedKeyExtraction.Extract(instance, verifyingKey, settingsJson), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (EzklEngineException ex) when (ex is not EzklEngineTrapException)
        {
            throw new EzklInvalidArtifactException(ArtifactKind.VerifyingKey,
                $"{ArtifactFiles.Describe(ArtifactKind.VerifyingKey)} does not load with these settings: {ex.EngineMessage}", ex);
        }

        EngineLog.PinnedKeyExtracted(_logger, verifyingKey.Sha256, stopwatch.ElapsedMilliseconds, key.Text.Length,
            "0x" + key.Digest.ToString("x64", CultureInfo.InvariantCulture).TrimStart('0'));
        PinnedKeyExtraction.Remember(engineSha256, verifyingKey.Sha256, key);
        return key;
    }

    /// <summary>
    /// The number of public instances ezkl's verifier takes for these settings: the Poseidon modules' instances plus
    /// the product of each model instance shape (ezkl's <c>GraphSettings::total_instances</c>, summed).
    /// </summary>
    internal static int CountEvmInstances(CircuitSettings settings)
    {
        long total = 0;
        foreach (var shape in settings.ModelInstanceShapes)
        {
            total += shape.Aggregate(1L, (product, dimension) => product * dimension);
        }

        if (settings.ModuleSizes["poseidon"] is { } poseidon && poseidon.GetValueKind() == JsonValueKind.Array
            && poseidon.AsArray() is [_, { } perModule, ..] && perModule.GetValueKind() == JsonValueKind.Array)
        {
            foreach (var count in perModule.AsArray())
            {
                // ulong, as the compiled-circuit codec stores it; parsed JSON numbers read as ulong too.
                var instances = count?.GetValue<ulong>() ?? 0;
                total += instances <= int.MaxValue
                    ? (long)instances
                    : throw new EvmVerifierException(EvmVerifierFailure.InvalidInput, $"module_sizes declares {instances} Poseidon instances");
            }
        }

        return total <= int.MaxValue
            ? (int)total
            : throw new EvmVerifierException(EvmVerifierFailure.InvalidInput, $"the settings declare {total} public instances");
    }
}
