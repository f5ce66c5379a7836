using Microsoft.Extensions.Logging;

namespace Zkml.Ezkl.Engine;

/// <summary>Log messages of the engine host (category <c>Zkml.Ezkl.EzklEngine</c>).</summary>
internal static partial class EngineLog
{
    [LoggerMessage(1, LogLevel.Information, "ezkl engine module loaded from the disk cache {CachePath} in {ElapsedMs} ms")]
    public static partial void ModuleLoadedFromCache(ILogger logger, string cachePath, long elapsedMs);

    [LoggerMessage(2, LogLevel.Information, "ezkl engine {EnginePath} compiled in {ElapsedMs} ms (cached at {CachePath})")]
    public static partial void ModuleCompiled(ILogger logger, string enginePath, long elapsedMs, string? cachePath);

    [LoggerMessage(3, LogLevel.Warning, "the cached engine module {CachePath} could not be loaded and will be rebuilt: {Reason}")]
    public static partial void CachedModuleRejected(ILogger logger, string cachePath, string reason);

    [LoggerMessage(4, LogLevel.Debug, "engine instance {InstanceId} created in {ElapsedMs} ms")]
    public static partial void InstanceCreated(ILogger logger, int instanceId, long elapsedMs);

    [LoggerMessage(5, LogLevel.Warning, "engine instance {InstanceId} trapped during {Operation} and was discarded: {Message}")]
    public static partial void InstanceTrapped(ILogger logger, int instanceId, string operation, string message);

    [LoggerMessage(6, LogLevel.Debug, "{Operation} on engine instance {InstanceId} took {ElapsedMs} ms")]
    public static partial void OperationCompleted(ILogger logger, string operation, int instanceId, long elapsedMs);

    [LoggerMessage(7, LogLevel.Debug, "engine {InstanceId}: {Message}")]
    public static partial void EngineConsoleLog(ILogger logger, int instanceId, string message);

    [LoggerMessage(8, LogLevel.Warning, "engine {InstanceId}: {Message}")]
    public static partial void EngineConsoleWarning(ILogger logger, int instanceId, string message);

    [LoggerMessage(9, LogLevel.Debug, "engine {InstanceId} console.error: {Message}")]
    public static partial void EngineConsoleError(ILogger logger, int instanceId, string message);

    [LoggerMessage(10, LogLevel.Warning, "the engine module cache {CacheDirectory} is not writable; compiling in memory only: {Reason}")]
    public static partial void CacheUnavailable(ILogger logger, string cacheDirectory, string reason);

    [LoggerMessage(11, LogLevel.Information, "ezkl engine {EnginePath}: {Products} halves of 128-bit products and {Sums} carries in {Functions} functions now use i64.mul_wide_u and i64.add128 (rewritten in {ElapsedMs} ms)")]
    public static partial void WideMultiplyRewritten(ILogger logger, string enginePath, int products, int sums, int functions, long elapsedMs);

    [LoggerMessage(12, LogLevel.Warning, "ezkl engine {EnginePath}: the wide-multiplication rewrite was not used, compiling the original: {Reason}")]
    public static partial void WideMultiplyRejected(ILogger logger, string enginePath, string reason);

    [LoggerMessage(13, LogLevel.Information, "constraint system of verifying key {VkSha256} read from engine memory in {ElapsedMs} ms ({Length} characters, digest {Digest})")]
    public static partial void PinnedKeyExtracted(ILogger logger, string vkSha256, long elapsedMs, int length, string digest);

    [LoggerMessage(14, LogLevel.Information, "EVM verifier {Contract} generated in {ElapsedMs} ms ({SourceLength} characters of Solidity, {Instances} instances)")]
    public static partial void EvmVerifierGenerated(ILogger logger, string contract, long elapsedMs, int sourceLength, int instances);
}
