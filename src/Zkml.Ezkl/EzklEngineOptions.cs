namespace Zkml.Ezkl;

/// <summary>Options of an <see cref="EzklEngine"/>.</summary>
public sealed class EzklEngineOptions
{
    /// <summary>
    /// The engine file (ezkl_bg.wasm of npm @ezkljs/engine). Null (the default) uses the file the package places
    /// beside the Zkml.Ezkl assembly, checked against the pinned 21.0.0 sha256.
    /// </summary>
    public string? EnginePath { get; set; }

    /// <summary>
    /// The sha256 (hex) <see cref="EnginePath"/> must have; null skips the check for a custom engine file. The
    /// default engine is always checked against the pinned hash.
    /// </summary>
    public string? ExpectedSha256 { get; set; }

    /// <summary>
    /// How many engine instances may run at once, each with its own memory (a prove of a small circuit takes tens
    /// of MB, larger ones GBs). Default: one per processor.
    /// </summary>
    public int MaxInstances { get; set; } = Environment.ProcessorCount;

    /// <summary>Whether the compiled engine is cached on disk (compiling takes 10-40 s; loading milliseconds). Default true.</summary>
    public bool UseModuleCache { get; set; } = true;

    /// <summary>
    /// Where compiled engines are cached. Default: <c>$ZKML_CACHE_DIR/engine</c>, else <c>$XDG_CACHE_HOME/zkml/engine</c>,
    /// else <c>~/.cache/zkml/engine</c>.
    /// </summary>
    public string? ModuleCacheDirectory { get; set; }

    /// <summary>
    /// The most linear memory one engine instance may grow to, in bytes; null (the default) leaves the wasm32 limit
    /// of 4 GiB. A call that needs more fails with <see cref="EzklEngineTrapException"/> and its instance is
    /// replaced, so one oversized circuit cannot take the machine's memory.
    /// </summary>
    public long? MaxInstanceMemoryBytes { get; set; }

    /// <summary>
    /// Whether the engine's own log output (its <c>init_logger</c>) is enabled and forwarded to the logger at Debug
    /// level. Off by default: formatting the engine's logs costs time inside prove.
    /// </summary>
    public bool EnableEngineLogging { get; set; }

    /// <summary>
    /// Whether the engine's 64 x 64 -> 128-bit multiplications (which wasm32 code builds from four 32-bit products)
    /// and 128-bit carries are rewritten to the wide-arithmetic instructions <c>i64.mul_wide_u</c> and
    /// <c>i64.add128</c> before compiling. A value is rewritten only when it is built exactly in the form of such a
    /// product half or carry, so results are the same bit for bit; proving takes about 30% less time. Default true;
    /// the compiled-module cache keeps the two variants apart.
    /// </summary>
    public bool OptimizeWideMultiplication { get; set; } = true;

    internal EzklEngineOptions Validated()
    {
        if (MaxInstances < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxInstances), MaxInstances, "at least one engine instance is needed");
        }

        if (MaxInstanceMemoryBytes is < 2 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxInstanceMemoryBytes), MaxInstanceMemoryBytes, "an engine instance needs at least 2 MiB");
        }

        return new EzklEngineOptions
        {
            EnginePath = EnginePath is null ? null : Path.GetFullPath(EnginePath),
            ExpectedSha256 = ExpectedSha256,
            MaxInstances = MaxInstances,
            UseModuleCache = UseModuleCache,
            ModuleCacheDirectory = ModuleCacheDirectory,
            EnableEngineLogging = EnableEngineLogging,
            MaxInstanceMemoryBytes = MaxInstanceMemoryBytes,
            OptimizeWideMultiplication = OptimizeWideMultiplication,
        };
    }
}
