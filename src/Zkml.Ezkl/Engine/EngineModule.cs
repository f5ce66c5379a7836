using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Wasmtime;
using WasmtimeModule = Wasmtime.Module;

namespace Zkml.Ezkl.Engine;

/// <summary>
/// The engine compiled for this machine: a Wasmtime engine with the project's configuration and the ezkl
/// module, compiled once and cached on disk. The cache key is the wasm's sha256, the Wasmtime version, the
/// configuration and the platform, so a change of any of them compiles again. Writes are atomic (temporary file,
/// then rename) and a lock file makes concurrent processes wait for one compiler instead of all compiling.
/// </summary>
internal sealed class EngineModule : IDisposable
{
    /// <summary>sha256 of nodejs/ezkl_bg.wasm in npm @ezkljs/engine 21.0.0.</summary>
    public const string PinnedSha256 = "285e56888861889857c4de76d97fef18fe307ca6d2d942c73dd2df2d8984904b";

    public const string EngineFileName = "ezkl_bg.wasm";

    // Bump when the configuration below changes; it is part of the cache key.
    private const string ConfigurationFingerprint = "threads+simd+bulk+wide;opt=speed;cranelift;memory=plain-unshared;epoch;v3";

    /// <summary>How often the engine's epoch advances: how soon a cancelled call stops inside the engine.</summary>
    internal static readonly TimeSpan EpochInterval = TimeSpan.FromMilliseconds(50);

    private readonly Timer _epochTimer;
    private readonly Lock _runningLock = new();
    private int _running;

    private EngineModule(Wasmtime.Engine engine, WasmtimeModule module, string sha256, bool fromCache)
    {
        Engine = engine;
        _epochTimer = new Timer(static state => ((Wasmtime.Engine)state!).IncrementEpoch(), engine, Timeout.Infinite, Timeout.Infinite);
        Module = module;
        Sha256 = sha256;
        LoadedFromCache = fromCache;
    }

    public Wasmtime.Engine Engine { get; }

    public WasmtimeModule Module { get; }

    public string Sha256 { get; }

    public bool LoadedFromCache { get; }

    /// <summary>
    /// Marks a call entering the engine. The epoch ticks only while calls run, so an idle engine costs no wake-ups.
    /// </summary>
    public void CallStarted()
    {
        lock (_runningLock)
        {
            if (_running++ == 0)
            {
                _epochTimer.Change(EpochInterval, EpochInterval);
            }
        }
    }

    /// <summary>Marks a call leaving the engine; the last one stops the epoch ticks.</summary>
    public void CallEnded()
    {
        lock (_runningLock)
        {
            if (--_running == 0)
            {
                _epochTimer.Change(Timeout.Infinite, Timeout.Infinite);
            }
        }
    }

    public static string WasmtimeVersion { get; } =
        typeof(Wasmtime.Engine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(Wasmtime.Engine).Assembly.GetName().Version?.ToString() ?? "unknown";

    public static string DefaultEnginePath()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, EngineFileName);
        if (File.Exists(beside))
        {
            return beside;
        }

        var assemblyDir = Path.GetDirectoryName(typeof(EngineModule).Assembly.Location);
        return string.IsNullOrEmpty(assemblyDir) ? beside : Path.Combine(assemblyDir, EngineFileName);
    }

    public static string DefaultCacheDirectory()
    {
        if (Environment.GetEnvironmentVariable("ZKML_CACHE_DIR") is { Length: > 0 } explicitDir)
        {
            return Path.Combine(explicitDir, "engine");
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var root = !string.IsNullOrEmpty(xdg) ? xdg
            : !string.IsNullOrEmpty(home) ? Path.Combine(home, ".cache")
            : Path.GetTempPath();
        return Path.Combine(root, "zkml", "engine");
    }

    public static Config CreateConfig() => new Config()
        .WithWasmThreads(true)
        .WithSIMD(true)
        .WithBulkMemory(true)
        .WithWideArithmetic(true)
        .WithEpochInterruption(true)
        .WithOptimizationLevel(OptimizationLevel.Speed)
        .WithParallelCompilation(true);

    public static EngineModule Load(EzklEngineOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var path = options.EnginePath ?? DefaultEnginePath();
        if (!File.Exists(path))
        {
            throw new EzklEngineLoadException(
                $"the ezkl engine file was not found at {path}. Building Zkml.Ezkl restores it (npm ci in native/ezkl-wasm) " +
                "and copies it beside the assembly; or set EzklEngineOptions.EnginePath.");
        }

        // On a cache hit the 10 MB module is never held in memory, and usually not even read: a stamp beside the
        // cached module remembers the file's hash until the file changes (see EngineFileHash).
        var cacheDirectory = options.UseModuleCache ? options.ModuleCacheDirectory ?? DefaultCacheDirectory() : null;
        var sha256 = EngineFileHash.Compute(path, cacheDirectory);

        var expected = options.EnginePath is null ? PinnedSha256 : options.ExpectedSha256;
        if (expected is not null && !string.Equals(sha256, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new EzklEngineLoadException($"the engine file {path} has sha256 {sha256}, expected {expected}");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var engine = new Wasmtime.Engine(CreateConfig());
        try
        {
            var rewrite = options.OptimizeWideMultiplication;
            var cachePath = cacheDirectory is null ? null : CachePath(cacheDirectory, sha256, rewrite);
            var (module, fromCache) = cachePath is null
                ? (Compile(engine, ReadChecked(path, sha256), path, null, rewrite, logger), false)
                : LoadOrCompileCached(engine, path, sha256, cachePath, rewrite, logger, cancellationToken);
            return new EngineModule(engine, module, sha256, fromCache);
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    internal static string CachePath(string directory, string sha256, bool wideMultiplication)
    {
        var key = string.Join('\n', sha256, WasmtimeVersion, ConfigurationFingerprint, RuntimeInformation.RuntimeIdentifier,
            RuntimeInformation.ProcessArchitecture, wideMultiplication ? WideMultiplyRewriter.Version : "original");
        var keyHash = EngineFileHash.NameHash(key);
        return Path.Combine(directory, $"ezkl-{sha256[..16]}-{keyHash}.cwasm");
    }

    private static (WasmtimeModule Module, bool FromCache) LoadOrCompileCached(
        Wasmtime.Engine engine, string enginePath, string sha256, string cachePath, bool rewrite, ILogger logger,
        CancellationToken cancellationToken)
    {
        // Fast path: a finished cache file only ever appears by rename, so if it exists it is complete.
        if (TryDeserialize(engine, cachePath, logger) is { } cached)
        {
            return (cached, true);
        }

        var directory = Path.GetDirectoryName(cachePath)!;
        FileStream? lockFile;
        try
        {
            Directory.CreateDirectory(directory);
            lockFile = AcquireLock(cachePath + ".lock", cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            EngineLog.CacheUnavailable(logger, directory, ex.Message);
            return (Compile(engine, ReadChecked(enginePath, sha256), enginePath, null, rewrite, logger), false);
        }

        using (lockFile)
        {
            // Another process may have finished compiling while we waited for the lock.
            if (TryDeserialize(engine, cachePath, logger) is { } compiledMeanwhile)
            {
                return (compiledMeanwhile, true);
            }

            var module = Compile(engine, ReadChecked(enginePath, sha256), enginePath, cachePath, rewrite, logger);
            try
            {
                ArtifactFiles.WriteAtomically(cachePath, module.Serialize());
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                EngineLog.CacheUnavailable(logger, directory, ex.Message);
            }

            return (module, false);
        }
    }

    private static FileStream AcquireLock(string lockPath, CancellationToken cancellationToken)
    {
        // An exclusive open is the lock (flock on Unix); the OS releases it if the holder dies. Compiling takes
        // up to a minute on a busy machine, so waiters poll patiently.
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (deadline.Elapsed < TimeSpan.FromMinutes(10))
            {
                cancellationToken.ThrowIfCancellationRequested();
                Thread.Sleep(100);
            }
        }
    }

    private static WasmtimeModule? TryDeserialize(Wasmtime.Engine engine, string cachePath, ILogger logger)
    {
        if (!File.Exists(cachePath))
        {
            return null;
        }

        var stopwatch = Stopwatch.StartNew();
        try
        {
            var module = WasmtimeModule.DeserializeFile(engine, "ezkl", cachePath);
            EngineLog.ModuleLoadedFromCache(logger, cachePath, stopwatch.ElapsedMilliseconds);
            return module;
        }
        catch (Exception ex) when (ex is WasmtimeException or IOException)
        {
            EngineLog.CachedModuleRejected(logger, cachePath, ex.Message);
            return null;
        }
    }

    /// <summary>Reads the module to compile it, checking it is still the file that was hashed.</summary>
    private static byte[] ReadChecked(string path, string sha256)
    {
        var wasm = File.ReadAllBytes(path);
        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(wasm)), sha256, StringComparison.Ordinal))
        {
            throw new EzklEngineLoadException($"the engine file {path} changed while it was being loaded");
        }

        return wasm;
    }

    private static WasmtimeModule Compile(
        Wasmtime.Engine engine, byte[] wasm, string enginePath, string? cachePath, bool rewrite, ILogger logger)
    {
        var stopwatch = Stopwatch.StartNew();
        WasmImportPatcher.UnshareImportedMemories(wasm);
        if (rewrite && RewriteWideMultiplication(wasm, enginePath, logger) is { } rewritten)
        {
            try
            {
                var optimized = WasmtimeModule.FromBytes(engine, "ezkl", rewritten);
                EngineLog.ModuleCompiled(logger, enginePath, stopwatch.ElapsedMilliseconds, cachePath);
                return optimized;
            }
            catch (WasmtimeException ex)
            {
                // The rewrite is an optimisation: if Wasmtime refuses its output, the original engine still works.
                EngineLog.WideMultiplyRejected(logger, enginePath, ex.Message);
            }
        }

        try
        {
            var module = WasmtimeModule.FromBytes(engine, "ezkl", wasm);
            EngineLog.ModuleCompiled(logger, enginePath, stopwatch.ElapsedMilliseconds, cachePath);
            return module;
        }
        catch (WasmtimeException ex)
        {
            throw new EzklEngineLoadException($"Wasmtime could not compile the engine {enginePath}: {ex.Message}", ex);
        }
    }

    private static byte[]? RewriteWideMultiplication(byte[] wasm, string enginePath, ILogger logger)
    {
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var result = WideMultiplyRewriter.Rewrite(wasm);
            EngineLog.WideMultiplyRewritten(logger, enginePath, result.Products, result.Sums, result.Functions, stopwatch.ElapsedMilliseconds);
            return result.Functions > 0 ? result.Module : null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // An optimisation must never cost the engine: whatever the pass trips over, the original module is used.
            EngineLog.WideMultiplyRejected(logger, enginePath, ex.Message);
            return null;
        }
    }

    public void Dispose()
    {
        // The engine must outlive the last epoch tick: wait for a tick in progress before disposing it.
        using (var ticksDone = new ManualResetEvent(false))
        {
            if (_epochTimer.Dispose(ticksDone))
            {
                ticksDone.WaitOne();
            }
        }

        Module.Dispose();
        Engine.Dispose();
    }
}
