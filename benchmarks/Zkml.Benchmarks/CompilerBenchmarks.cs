using BenchmarkDotNet.Attributes;
using Zkml.Ezkl;
using Zkml.Ezkl.Compilation;
using Zkml.Ezkl.Onnx;

namespace Zkml.Benchmarks;

/// <summary>
/// The ONNX → circuit compiler on the largest model the tests prove (the CNN: Conv + Relu + AveragePool + Gemm on a
/// 6x6 image) and on an MNIST-sized CNN (28x28, 4 channels): gen-settings (layout accounting) and compile-circuit.
/// Compare with the prove time of the same circuit (seconds): compiling must stay far below it.
/// </summary>
[MemoryDiagnoser]
public class CompilerBenchmarks
{
    private readonly EzklCompiler _compiler = new();
    private byte[] _onnx = [];
    private CircuitSettings _settings = null!;

    /// <summary>Which model.</summary>
    [Params("cnn-6x6", "cnn-28x28")]
    public string Model { get; set; } = "cnn-6x6";

    /// <summary>Builds the model and its settings once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _onnx = Model == "cnn-6x6" ? Cnn(6, 2, 3) : Cnn(28, 4, 10);
        _settings = _compiler.GenerateSettings(_onnx, new RunArgs { Logrows = 17 });
    }

    /// <summary>gen-settings: parse, normalize, quantize, lay out.</summary>
    [Benchmark]
    public long GenerateSettings() => _compiler.GenerateSettings(_onnx, new RunArgs { Logrows = 17 }).TotalAssignments;

    /// <summary>compile-circuit: parse, normalize, quantize, encode.</summary>
    [Benchmark]
    public int CompileCircuit() => _compiler.CompileCircuit(_onnx, _settings).Length;

    private static byte[] Cnn(int size, int channels, int classes)
    {
        var random = new Random(1);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        var b = new OnnxModelBuilder();
        var x = b.AddInput("input", [1, 1, size, size]);
        x = b.Relu(b.Conv(x, Values(channels * 9), [channels, 1, 3, 3], Values(channels)));
        x = b.Flatten(b.AveragePool(x, 2, 2));
        var features = (int)b.ShapeOf(x)[1];
        var w = new float[classes, features];
        for (var i = 0; i < classes; i++)
        {
            for (var j = 0; j < features; j++)
            {
                w[i, j] = (float)(random.NextDouble() - 0.5);
            }
        }

        b.AddOutput(b.Gemm(x, w, Values(classes)), "output");
        return b.ToBytes();
    }
}
