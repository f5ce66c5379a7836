using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using Zkml.Ezkl;
using Zkml.TestSupport;

namespace Zkml.Benchmarks;

/// <summary>
/// The engine's operations on the ezkl v21.0.0 fixture, one warm engine instance:
/// <c>dotnet run -c Release --project benchmarks/Zkml.Benchmarks -- --filter '*EzklEngineBenchmarks*'</c>.
/// The side-by-side comparison with Node is benchmarks/side-by-side/run.sh.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RuntimeMoniker.Net10_0, launchCount: 1, warmupCount: 2, iterationCount: 7)]
public class EzklEngineBenchmarks
{
    private EzklEngine _engine = null!;
    private CompiledCircuit _circuit = null!;
    private ModelInput _input = null!;
    private Srs _srs = null!;
    private CircuitSettings _settings = null!;
    private VerifyingKey _vk = null!;
    private ProvingKey _pk = null!;
    private Witness _witness = null!;
    private Proof _proof = null!;
    private Felt[] _message = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _circuit = CompiledCircuit.Load(TestPaths.Fixture("model.compiled"));
        _input = ModelInput.Load(TestPaths.Fixture("input.json"));
        _srs = Srs.Load(TestPaths.Fixture("kzg"));
        _settings = CircuitSettings.Load(TestPaths.Fixture("settings.json"));
        _vk = VerifyingKey.Load(TestPaths.Fixture("vk.key"));
        _pk = ProvingKey.Load(TestPaths.Fixture("pk.key"));
        _witness = Witness.Load(TestPaths.Fixture("witness.json"));
        _proof = Proof.Load(TestPaths.Fixture("proof.json"));
        _message = [Felt.FromSignedInteger(1), Felt.FromSignedInteger(2)];
        _engine = await EzklEngine.CreateAsync(new EzklEngineOptions { MaxInstances = 1 });
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark]
    public ValueTask<Witness> GenWitness() => _engine.GenerateWitnessAsync(_circuit, _input);

    [Benchmark]
    public ValueTask<CircuitKeys> Setup() => _engine.SetupAsync(_circuit, _srs);

    [Benchmark]
    public ValueTask<Proof> Prove() => _engine.ProveAsync(_witness, _pk, _circuit, _srs);

    [Benchmark]
    public ValueTask<VerificationResult> Verify() => _engine.VerifyAsync(_proof, _vk, _settings, _srs);

    [Benchmark]
    public ValueTask<Felt> PoseidonHash() => _engine.PoseidonHashAsync(_message);
}

/// <summary>
/// Cold start from the disk cache: a new engine (new Wasmtime engine, module deserialized from the cache file,
/// one instance) up to its first verify. The cache is warmed once in the global setup.
/// </summary>
[SimpleJob(RuntimeMoniker.Net10_0, launchCount: 1, warmupCount: 1, iterationCount: 7)]
public class EzklEngineColdStartBenchmarks
{
    private Srs _srs = null!;
    private CircuitSettings _settings = null!;
    private VerifyingKey _vk = null!;
    private Proof _proof = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _srs = Srs.Load(TestPaths.Fixture("kzg"));
        _settings = CircuitSettings.Load(TestPaths.Fixture("settings.json"));
        _vk = VerifyingKey.Load(TestPaths.Fixture("vk.key"));
        _proof = Proof.Load(TestPaths.Fixture("proof.json"));
        await using var warm = await EzklEngine.CreateAsync();
    }

    [Benchmark]
    public async Task<bool> LoadFromCacheAndVerify()
    {
        await using var engine = new EzklEngine(new EzklEngineOptions { MaxInstances = 1 });
        return (await engine.VerifyAsync(_proof, _vk, _settings, _srs)).IsValid;
    }
}

/// <summary>
/// Throughput of the instance pool: <see cref="Instances"/> proves at once on as many instances. On N idle cores the
/// time per operation should stay near one prove's time (scaling about N).
/// </summary>
[SimpleJob(RuntimeMoniker.Net10_0, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class EzklEngineConcurrencyBenchmarks
{
    private EzklEngine _engine = null!;
    private CompiledCircuit _circuit = null!;
    private Srs _srs = null!;
    private ProvingKey _pk = null!;
    private Witness _witness = null!;

    [Params(1, 2)]
    public int Instances { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _circuit = CompiledCircuit.Load(TestPaths.Fixture("model.compiled"));
        _srs = Srs.Load(TestPaths.Fixture("kzg"));
        _pk = ProvingKey.Load(TestPaths.Fixture("pk.key"));
        _witness = Witness.Load(TestPaths.Fixture("witness.json"));
        _engine = await EzklEngine.CreateAsync(new EzklEngineOptions { MaxInstances = Instances });
        await ConcurrentProves();
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark]
    public Task<Proof[]> ConcurrentProves() =>
        Task.WhenAll(Enumerable.Range(0, Instances).Select(_ => _engine.ProveAsync(_witness, _pk, _circuit, _srs).AsTask()));
}
