using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Zkml.Ezkl;
using Zkml.Ezkl.Bn254;
using Fq = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FqModulus>;
using Fr = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FrModulus>;

namespace Zkml.Benchmarks;

/// <summary>BN254 primitives under the SRS generator: one field product, one mixed addition, one fixed-base scalar multiplication.</summary>
[MemoryDiagnoser]
public class Bn254Benchmarks
{
    private readonly FixedBaseTable _table = new(Curves.G1Generator);
    private readonly Fr _scalar = Fr.FromUInt64(0xDEADBEEF).Pow(12345);
    private readonly AffinePoint<Fq> _affine = Curves.G1Generator.ToJacobian().Multiply([99]).ToAffine();
    private Fq _a = Fq.FromUInt64(123456789).Invert();
    private JacobianPoint<Fq> _point = Curves.G1Generator.ToJacobian().Multiply([12345]);

    /// <summary>100 chained Montgomery products in Fq.</summary>
    [Benchmark(OperationsPerInvoke = 100)]
    public ulong FqMultiply()
    {
        Fq a = _a;
        for (int i = 0; i < 100; i++)
        {
            a *= a;
        }

        _a = a;
        return a.L0;
    }

    /// <summary>100 chained mixed (Jacobian + affine) G1 additions.</summary>
    [Benchmark(OperationsPerInvoke = 100)]
    public ulong G1MixedAdd()
    {
        JacobianPoint<Fq> p = _point;
        for (int i = 0; i < 100; i++)
        {
            p = p.Add(_affine);
        }

        _point = p;
        return p.X.L0;
    }

    /// <summary>One fixed-base (8-bit windows) G1 scalar multiplication.</summary>
    [Benchmark]
    public ulong G1FixedBaseMultiply() => _table.Multiply(_scalar).X.L0;

    /// <summary>One variable-base (4-bit window) G1 scalar multiplication.</summary>
    [Benchmark]
    public ulong G1VariableBaseMultiply() => _point.MultiplyWindowed(_scalar).X.L0;

    /// <summary>One variable-base G1 scalar multiplication with the GLV endomorphism, the unit of downsizing.</summary>
    [Benchmark]
    public ulong G1GlvMultiply() => G1Glv.Multiply(_point, _scalar).X.L0;
}

/// <summary>gen-srs end to end (unsafe development SRS in memory), the k = 17 target among them.</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class SrsGenerationBenchmarks
{
    /// <summary>k of the generated SRS.</summary>
    [Params(12, 17)]
    public int Logrows { get; set; }

    /// <summary>Generates an SRS of 2^k points.</summary>
    [Benchmark]
    public Task<Srs> GenerateUnsafe() => KzgSrs.GenerateUnsafeAsync(Logrows);
}

/// <summary>Downsizing: recomputing the Lagrange basis by an inverse FFT over G1.</summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class SrsDownsizeBenchmarks
{
    private Srs _source = null!;

    /// <summary>Generates the k = 13 source once.</summary>
    [GlobalSetup]
    public void Setup() => _source = KzgSrs.GenerateUnsafeAsync(13).GetAwaiter().GetResult();

    /// <summary>k = 13 to k = 12.</summary>
    [Benchmark]
    public Task<Srs> Downsize13To12() => KzgSrs.DownsizeAsync(_source, 12);
}
