using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Zkml.Ezkl.Engine;
using Zkml.Ezkl.Evm;

namespace Zkml.Ezkl;

public sealed partial class EzklEngine
{
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
                total += count?.GetValue<long>() ?? 0;
            }
        }

        return total <= int.MaxValue
            ? (int)total
            : throw new EvmVerifierException(EvmVerifierFailure.InvalidInput, $"the settings declare {total} public instances");
    }
}
