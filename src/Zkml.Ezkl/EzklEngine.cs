using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Wasmtime;
using Zkml.Ezkl.Engine;

namespace Zkml.Ezkl;

/// <summary>
/// ezkl in-process: the official ezkl WebAssembly engine (npm @ezkljs/engine 21.0.0) hosted in Wasmtime.
/// Generates witnesses, keys and proofs, verifies proofs, and offers ezkl's field-element utilities.
/// </summary>
/// <remarks>
/// Thread-safe. Calls run on a pool of engine instances (<see cref="EzklEngineOptions.MaxInstances"/>, one per
/// processor by default), each with its own memory and running one call at a time; extra calls wait for a free
/// instance. The engine is compiled on first use, or loaded in milliseconds from the on-disk module cache.
/// Cancelling a call stops it, also while the engine runs it: at the next epoch tick (every 50 ms) the engine code
/// traps, the call throws <see cref="OperationCanceledException"/> and its instance is replaced.
/// An engine panic surfaces as <see cref="EzklEngineTrapException"/>; the instance is replaced and the engine
/// keeps working.
/// </remarks>
public sealed partial class EzklEngine : IDisposable, IAsyncDisposable
{
    private readonly EzklEngineOptions _options;
    private readonly ILogger _logger;
    private readonly object _poolLock = new();
    private volatile EnginePool? _pool;
    private int _disposed;

    /// <summary>Creates an engine. Nothing is loaded until the first call (or <see cref="WarmUpAsync"/>).</summary>
    /// <param name="options">Options; null uses the defaults.</param>
    /// <param name="loggerFactory">Where the engine logs (category <c>Zkml.Ezkl.EzklEngine</c>); null logs nothing.</param>
    public EzklEngine(EzklEngineOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _options = (options ?? new EzklEngineOptions()).Validated();
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<EzklEngine>();
    }

    /// <summary>Creates an engine and loads it (module from the disk cache or compiled, one instance ready).</summary>
    public static async Task<EzklEngine> CreateAsync(
        EzklEngineOptions? options = null, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        var engine = new EzklEngine(options, loggerFactory);
        try
        {
            await engine.WarmUpAsync(cancellationToken).ConfigureAwait(false);
            return engine;
        }
        catch
        {
            engine.Dispose();
            throw;
        }
    }

    /// <summary>The sha256 of the engine file in use (loads the engine if needed).</summary>
    public string EngineSha256 => Pool.Module.Sha256;

    /// <summary>How many engine instances may run at once.</summary>
    public int MaxInstances => _options.MaxInstances;

    private EnginePool Pool
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            if (_pool is { } pool)
            {
                return pool;
            }

            // One loader at a time (compiling takes 700 MB); a failed load is not remembered, so a later call retries.
            lock (_poolLock)
            {
                ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
                return _pool ??= CreatePool();
            }
        }
    }

    /// <summary>Loads the engine (module and one instance) so the first real call does not pay for it.</summary>
    /// <exception cref="EzklEngineLoadException">The engine file is missing, has the wrong hash or does not compile.</exception>
    public async ValueTask WarmUpAsync(CancellationToken cancellationToken = default)
    {
        await RunAsync("load", null, EzklStage.Completed, static _ => 0, cancellationToken).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- the pipeline

    /// <summary>Runs the circuit on an input and returns the witness (ezkl <c>gen-witness</c>).</summary>
    /// <exception cref="EzklEngineException">The input does not fit the circuit (wrong shape, out of range...).</exception>
    public ValueTask<Witness> GenerateWitnessAsync(CompiledCircuit circuit, ModelInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(input);
        return RunAsync("gen-witness", null, EzklStage.GeneratingWitness, engine =>
            Witness.FromEngine(engine.CallBytes("gen-witness", "genWitness", [circuit.RawBytes, input.RawBytes])), cancellationToken);
    }

    /// <summary>Generates the verifying key (ezkl's genVk). Deterministic.</summary>
    /// <param name="circuit">The compiled circuit.</param>
    /// <param name="srs">The SRS; its k must equal the circuit's logrows.</param>
    /// <param name="compressSelectors">Whether selectors are compressed (ezkl's default, true).</param>
    /// <param name="cancellationToken">Stops the call, also while the engine runs (within an epoch tick, 50 ms; the instance is then replaced).</param>
    public ValueTask<VerifyingKey> GenerateVerifyingKeyAsync(
        CompiledCircuit circuit, Srs srs, bool compressSelectors = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(srs);
        return RunAsync("setup", null, EzklStage.GeneratingVerifyingKey, engine =>
            VerifyingKey.FromEngine(engine.CallBytes("setup (vk)", "genVk", [circuit.RawBytes, srs.RawBytes], compressSelectors ? 1 : 0)),
            cancellationToken);
    }

    /// <summary>Generates the proving key from the verifying key (ezkl's genPk). Deterministic.</summary>
    public ValueTask<ProvingKey> GenerateProvingKeyAsync(
        VerifyingKey verifyingKey, CompiledCircuit circuit, Srs srs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verifyingKey);
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(srs);
        return RunAsync("setup", null, EzklStage.GeneratingProvingKey, engine =>
            ProvingKey.FromEngine(engine.CallBytes("setup (pk)", "genPk", [verifyingKey.RawBytes, circuit.RawBytes, srs.RawBytes])),
            cancellationToken);
    }

    /// <summary>
    /// Generates the verifying and proving keys (ezkl <c>setup</c>). Deterministic: the same circuit and SRS give
    /// byte-identical keys.
    /// </summary>
    /// <param name="circuit">The compiled circuit.</param>
    /// <param name="srs">The SRS; its k must equal the circuit's logrows.</param>
    /// <param name="progress">Receives the stages (vk, pk, done).</param>
    /// <param name="cancellationToken">Stops the call, also while the engine runs (within an epoch tick, 50 ms; the instance is then replaced).</param>
    public async ValueTask<CircuitKeys> SetupAsync(
        CompiledCircuit circuit, Srs srs, IProgress<EzklProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(srs);
        progress?.Report(new EzklProgress("setup", EzklStage.GeneratingVerifyingKey, 0.0));
        var vk = await RunAsync("setup", null, EzklStage.GeneratingVerifyingKey, engine =>
            VerifyingKey.FromEngine(engine.CallBytes("setup (vk)", "genVk", [circuit.RawBytes, srs.RawBytes], 1)), cancellationToken)
            .ConfigureAwait(false);
        progress?.Report(new EzklProgress("setup", EzklStage.GeneratingProvingKey, 0.3));
        var pk = await RunAsync("setup", null, EzklStage.GeneratingProvingKey, engine =>
            ProvingKey.FromEngine(engine.CallBytes("setup (pk)", "genPk", [vk.RawBytes, circuit.RawBytes, srs.RawBytes])), cancellationToken)
            .ConfigureAwait(false);
        progress?.Report(new EzklProgress("setup", EzklStage.Completed, 1.0));
        return new CircuitKeys(vk, pk);
    }

    /// <summary>Proves one inference (ezkl <c>prove</c>). Proofs are randomized: each call gives different bytes.</summary>
    /// <param name="witness">The witness of the inference.</param>
    /// <param name="provingKey">The proving key of the circuit.</param>
    /// <param name="circuit">The compiled circuit.</param>
    /// <param name="srs">The SRS the keys were made with.</param>
    /// <param name="progress">Receives the stages (proving, done).</param>
    /// <param name="cancellationToken">Stops the call, also while the engine runs (within an epoch tick, 50 ms; the instance is then replaced).</param>
    /// <exception cref="EzklEngineException">The witness does not satisfy the circuit, or the key does not match it.</exception>
    public async ValueTask<Proof> ProveAsync(
        Witness witness, ProvingKey provingKey, CompiledCircuit circuit, Srs srs,
        IProgress<EzklProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(witness);
        ArgumentNullException.ThrowIfNull(provingKey);
        ArgumentNullException.ThrowIfNull(circuit);
        ArgumentNullException.ThrowIfNull(srs);
        progress?.Report(new EzklProgress("prove", EzklStage.Proving, 0.0));
        var proof = await RunAsync("prove", progress, EzklStage.Proving, engine =>
            Proof.FromEngine(engine.CallBytes("prove", "prove", [witness.RawBytes, provingKey.RawBytes, circuit.RawBytes, srs.RawBytes])),
            cancellationToken).ConfigureAwait(false);
        progress?.Report(new EzklProgress("prove", EzklStage.Completed, 1.0));
        return proof;
    }

    /// <summary>
    /// Verifies a proof (ezkl <c>verify</c>). An invalid proof is a result, not an exception: a tampered
    /// transcript or wrong instances give <see cref="VerificationResult.IsValid"/> false with the engine's reason.
    /// </summary>
    /// <exception cref="EzklEngineException">The key, settings or SRS could not be read by the engine.</exception>
    public ValueTask<VerificationResult> VerifyAsync(
        Proof proof, VerifyingKey verifyingKey, CircuitSettings settings, Srs srs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proof);
        ArgumentNullException.ThrowIfNull(verifyingKey);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(srs);
        var settingsBytes = settings.ToJsonBytes();
        if (srs.Logrows != settings.RunArgs.Logrows)
        {
            throw new EzklInvalidArtifactException(ArtifactKind.Srs,
                $"the SRS has k = {srs.Logrows} but the settings have logrows = {settings.RunArgs.Logrows}; the engine needs them equal");
        }

        return RunAsync("verify", null, EzklStage.Verifying, engine =>
        {
            try
            {
                return engine.CallBool("verify", "verify", [proof.RawBytes, verifyingKey.RawBytes, settingsBytes, srs.RawBytes])
                    ? VerificationResult.Valid
                    : VerificationResult.Invalid("the engine returned false");
            }
            catch (EzklEngineException ex) when (ex is not EzklEngineTrapException && IsVerificationFailure(ex.EngineMessage))
            {
                // Engine 21.0.0 reports a proof that does not verify as an error, not as false.
                return VerificationResult.Invalid(StripInternalError(ex.EngineMessage));
            }
        }, cancellationToken);
    }

    /// <summary>
    /// Encodes a proof as calldata for an EVM Halo2 verifier's <c>verifyProof(bytes,uint256[])</c> (ezkl
    /// <c>encode-evm-calldata</c>).
    /// </summary>
    /// <param name="proof">The proof (EVM transcript).</param>
    /// <param name="verifyingKeyAddress">The address of a separate vk contract (20 bytes), if the verifier uses one.</param>
    /// <param name="cancellationToken">Stops the call, also while the engine runs (within an epoch tick, 50 ms; the instance is then replaced).</param>
    public ValueTask<byte[]> EncodeEvmCalldataAsync(Proof proof, ReadOnlyMemory<byte>? verifyingKeyAddress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proof);
        byte[]? address = null;
        if (verifyingKeyAddress is { } vka)
        {
            if (vka.Length != 20)
            {
                throw new ArgumentException("an EVM address has 20 bytes", nameof(verifyingKeyAddress));
            }

            address = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(vka.ToArray().Select(b => (int)b)));
        }

        return RunAsync("encode-evm-calldata", null, EzklStage.Completed, engine =>
            engine.CallBytes("encode-evm-calldata", "encodeVerifierCalldata", [proof.RawBytes, address]), cancellationToken);
    }

    // ---------------------------------------------------------------- field elements

    /// <summary>Poseidon hash of field elements, as ezkl's circuits compute it.</summary>
    public ValueTask<Felt> PoseidonHashAsync(IReadOnlyList<Felt> message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Count == 0)
        {
            throw new ArgumentException("the message must hold at least one field element", nameof(message));
        }

        var json = EzklJson.WriteFeltArray(message);
        return RunAsync("poseidon-hash", null, EzklStage.Completed, engine =>
        {
            var result = engine.CallBytes("poseidon-hash", "poseidonHash", [json]);
            var felts = ParseFeltJson(result, "poseidon-hash");
            return felts.Count == 1 ? felts[0] : throw new EzklEngineException("poseidon-hash", $"expected one hash, the engine returned {felts.Count}");
        }, cancellationToken);
    }

    /// <summary>Quantizes a number at a scale (value·2^scale, rounded) into a field element (ezkl's floatToFelt).</summary>
    public ValueTask<Felt> FloatToFeltAsync(double value, int scale, NumericType type = NumericType.F32, CancellationToken cancellationToken = default)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "the value must be finite");
        }

        var typeName = Encoding.UTF8.GetBytes(type switch
        {
            NumericType.F16 => "f16",
            NumericType.F64 => "f64",
            NumericType.Int => "int",
            NumericType.Bool => "bool",
            _ => "f32",
        });
        return RunAsync("float-to-felt", null, EzklStage.Completed, engine =>
            ParseSingleFelt(engine.CallBytes("float-to-felt", "floatToFelt", [typeName], value, scale), "float-to-felt"), cancellationToken);
    }

    /// <summary>Dequantizes a field element at a scale back to a number (ezkl's feltToFloat).</summary>
    public ValueTask<double> FeltToFloatAsync(Felt felt, int scale, CancellationToken cancellationToken = default)
    {
        var json = QuotedFelt(felt);
        return RunAsync("felt-to-float", null, EzklStage.Completed, engine =>
            engine.CallDouble("felt-to-float", "feltToFloat", [json], scale), cancellationToken);
    }

    /// <summary>The signed integer a field element represents (ezkl's feltToInt).</summary>
    public ValueTask<BigInteger> FeltToIntegerAsync(Felt felt, CancellationToken cancellationToken = default)
    {
        var json = QuotedFelt(felt);
        return RunAsync("felt-to-integer", null, EzklStage.Completed, engine =>
        {
            // The engine writes the integer as a bare JSON number (an i128 may exceed a double, so parse the text).
            var text = Encoding.UTF8.GetString(engine.CallBytes("felt-to-integer", "feltToInt", [json])).Trim().Trim('"');
            return BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new EzklEngineException("felt-to-integer", $"unexpected engine output '{text}'");
        }, cancellationToken);
    }

    /// <summary>Packs bytes into field elements, 16 bytes per element (ezkl's bufferToVecOfFelt).</summary>
    public ValueTask<IReadOnlyList<Felt>> BufferToFeltsAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var bytes = buffer.ToArray();
        return RunAsync("buffer-to-felts", null, EzklStage.Completed, engine =>
            ParseFeltJson(engine.CallBytes("buffer-to-felts", "bufferToVecOfFelt", [bytes]), "buffer-to-felts"), cancellationToken);
    }

    /// <summary>
    /// KZG commitments to a message of field elements, with the circuit's verifying key, settings and SRS
    /// (ezkl's kzgCommit). Returns each commitment as ezkl serializes a G1 point (hex).
    /// </summary>
    public ValueTask<IReadOnlyList<string>> KzgCommitAsync(
        IReadOnlyList<Felt> message, VerifyingKey verifyingKey, CircuitSettings settings, Srs srs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(verifyingKey);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(srs);
        var json = EzklJson.WriteFeltArray(message);
        var settingsBytes = settings.ToJsonBytes();
        return RunAsync("kzg-commit", null, EzklStage.Completed, engine =>
        {
            var result = engine.CallBytes("kzg-commit", "kzgCommit", [json, verifyingKey.RawBytes, settingsBytes, srs.RawBytes]);
            return (IReadOnlyList<string>)(JsonSerializer.Deserialize<List<string>>(result) ?? []).AsReadOnly();
        }, cancellationToken);
    }

    // ---------------------------------------------------------------- validation

    /// <summary>Checks settings with the engine's own parser.</summary>
    /// <exception cref="EzklInvalidArtifactException">The engine rejects the settings.</exception>
    public ValueTask ValidateAsync(CircuitSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return ValidateCore(ArtifactKind.Settings, "settingsValidation", [settings.ToJsonBytes()], cancellationToken);
    }

    /// <summary>Checks a compiled circuit with the engine's own parser.</summary>
    /// <exception cref="EzklInvalidArtifactException">The engine rejects the circuit.</exception>
    public ValueTask ValidateAsync(CompiledCircuit circuit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(circuit);
        return ValidateCore(ArtifactKind.CompiledCircuit, "compiledCircuitValidation", [circuit.RawBytes], cancellationToken);
    }

    /// <summary>Checks an input file with the engine's own parser.</summary>
    /// <exception cref="EzklInvalidArtifactException">The engine rejects the input.</exception>
    public ValueTask ValidateAsync(ModelInput input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        return ValidateCore(ArtifactKind.Input, "inputValidation", [input.RawBytes], cancellationToken);
    }

    /// <summary>Checks a witness with the engine's own parser.</summary>
    /// <exception cref="EzklInvalidArtifactException">The engine rejects the witness.</exception>
    public ValueTask ValidateAsync(Witness witness, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(witness);
        return ValidateCore(ArtifactKind.Witness, "witnessValidation", [witness.RawBytes], cancellationToken);
    }

    /// <summary>Checks a proof with the engine's own parser.</summary>
    /// <exception cref="EzklInvalidArtifactException">The engine rejects the proof.</exception>
    public ValueTask ValidateAsync(Proof proof, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return ValidateCore(ArtifactKind.Proof, "proofValidation", [proof.RawBytes], cancellationToken);
    }

    /// <summary>Checks that a verifying key parses for the circuit described by the settings.</summary>
    /// <exception cref="EzklInvalidArtifactException">The engine rejects the key.</exception>
    public ValueTask ValidateAsync(VerifyingKey verifyingKey, CircuitSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verifyingKey);
        ArgumentNullException.ThrowIfNull(settings);
        return ValidateCore(ArtifactKind.VerifyingKey, "vkValidation", [verifyingKey.RawBytes, settings.ToJsonBytes()], cancellationToken);
    }

    /// <summary>Checks that a proving key parses for the circuit described by the settings.</summary>
    /// <exception cref="EzklInvalidArtifactException">The engine rejects the key.</exception>
    public ValueTask ValidateAsync(ProvingKey provingKey, CircuitSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(provingKey);
        ArgumentNullException.ThrowIfNull(settings);
        return ValidateCore(ArtifactKind.ProvingKey, "pkValidation", [provingKey.RawBytes, settings.ToJsonBytes()], cancellationToken);
    }

    /// <summary>Checks an SRS with the engine's own reader.</summary>
    /// <exception cref="EzklInvalidArtifactException">The engine rejects the SRS.</exception>
    public ValueTask ValidateAsync(Srs srs, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(srs);
        return ValidateCore(ArtifactKind.Srs, "srsValidation", [srs.RawBytes], cancellationToken);
    }

    // ---------------------------------------------------------------- plumbing

    /// <summary>Statistics of the instance pool, for tests and benchmarks.</summary>
    internal (int Created, int Discarded) PoolStatistics => (Pool.CreatedCount, Pool.DiscardedCount);

    internal bool ModuleLoadedFromCache => Pool.Module.LoadedFromCache;

    /// <summary>Runs a raw call on an instance (tests use it to drive the engine into a trap).</summary>
    internal ValueTask<T> RunRawAsync<T>(string operation, Func<EngineInstance, T> call, CancellationToken cancellationToken = default) =>
        RunAsync(operation, null, EzklStage.Completed, call, cancellationToken);

    private async ValueTask ValidateCore(ArtifactKind kind, string export, byte[][] arrays, CancellationToken cancellationToken)
    {
        var operation = "validate " + kind;
        bool valid;
        try
        {
            valid = await RunAsync(operation, null, EzklStage.Completed, engine => engine.CallBool(operation, export, arrays), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (EzklEngineException ex)
        {
            throw new EzklInvalidArtifactException(kind, $"{ArtifactFiles.Describe(kind)} is invalid: {StripInternalError(ex.EngineMessage)}", ex);
        }

        if (!valid)
        {
            throw new EzklInvalidArtifactException(kind, $"{ArtifactFiles.Describe(kind)} is invalid (the engine's validation returned false)");
        }
    }

    private async ValueTask<T> RunAsync<T>(
        string operation, IProgress<EzklProgress>? progress, EzklStage stage, Func<EngineInstance, T> call, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // The first call compiles or loads the module: CPU and disk work, so it runs on the thread pool.
        var pool = _pool ?? await Task.Run(() => Pool, cancellationToken).ConfigureAwait(false);
        progress?.Report(new EzklProgress(operation, EzklStage.WaitingForInstance, 0.0));
        var instance = await pool.RentAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new EzklProgress(operation, stage, 0.0));
            return await instance.RunAsync(() =>
            {
                var stopwatch = Stopwatch.StartNew();
                try
                {
                    return call(instance);
                }
                catch (EzklEngineTrapException trap)
                {
                    EngineLog.InstanceTrapped(_logger, instance.Id, operation, trap.EngineMessage);
                    throw;
                }
                finally
                {
                    EngineLog.OperationCompleted(_logger, operation, instance.Id, stopwatch.ElapsedMilliseconds);
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            pool.Return(instance);
        }
    }

    private EnginePool CreatePool()
    {
        var module = EngineModule.Load(_options, _logger, CancellationToken.None);
        return new EnginePool(module, _options.MaxInstances, _options.MaxInstanceMemoryBytes, _logger, _options.EnableEngineLogging);
    }

    private static bool IsVerificationFailure(string message) =>
        message.Contains("Verification failed", StringComparison.OrdinalIgnoreCase)
        || message.Contains("failed to verify", StringComparison.OrdinalIgnoreCase);

    private static string StripInternalError(string message) =>
        message.StartsWith("Internal error: ", StringComparison.Ordinal) ? message["Internal error: ".Length..] : message;

    private static byte[] QuotedFelt(Felt felt) => Encoding.UTF8.GetBytes("\"" + felt.ToLittleEndianHex() + "\"");

    private static Felt ParseSingleFelt(byte[] json, string operation)
    {
        var text = JsonSerializer.Deserialize<string>(json);
        return Felt.TryFromLittleEndianHex(text, out var felt)
            ? felt
            : throw new EzklEngineException(operation, $"unexpected engine output '{Encoding.UTF8.GetString(json)}'");
    }

    private static IReadOnlyList<Felt> ParseFeltJson(byte[] json, string operation)
    {
        // The engine returns either ["felt", ...] or [["felt", ...], ...]; flatten both.
        using var doc = JsonDocument.Parse(json);
        var felts = new List<Felt>();
        void Collect(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                {
                    Collect(item);
                }
            }
            else if (element.ValueKind == JsonValueKind.String && Felt.TryFromLittleEndianHex(element.GetString(), out var felt))
            {
                felts.Add(felt);
            }
            else
            {
                throw new EzklEngineException(operation, "unexpected engine output " + element.GetRawText());
            }
        }

        Collect(doc.RootElement);
        return felts.AsReadOnly();
    }

    /// <summary>Releases the engine instances and the compiled module. Calls in flight must have finished.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        EnginePool? pool;
        lock (_poolLock)
        {
            pool = _pool;
        }

        if (pool is not null)
        {
            pool.Dispose();
            pool.Module.Dispose();
        }
    }

    /// <inheritdoc cref="Dispose"/>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
