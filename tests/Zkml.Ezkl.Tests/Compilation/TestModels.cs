using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Zkml.Ezkl.Onnx;

namespace Zkml.Ezkl.Tests.Compilation;

/// <summary>Small ONNX models with known, seeded weights, and their float reference outputs from ONNX Runtime.</summary>
internal static class TestModels
{
    public static float[,] Matrix(Random random, int rows, int cols, double range = 1)
    {
        var m = new float[rows, cols];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                m[i, j] = (float)((random.NextDouble() * 2 - 1) * range);
            }
        }

        return m;
    }

    public static float[] Vector(Random random, int length, double range = 0.5) =>
        Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2 - 1) * range)).ToArray();

    /// <summary>Gemm → Relu → … → Gemm with the given layer widths.</summary>
    public static byte[] Mlp(int seed, params int[] widths)
    {
        var random = new Random(seed);
        var b = new OnnxModelBuilder();
        var x = b.AddInput("input", [1, widths[0]], symbolicBatch: "batch_size");
        for (var layer = 1; layer < widths.Length; layer++)
        {
            x = b.Gemm(x, Matrix(random, widths[layer], widths[layer - 1]), Vector(random, widths[layer]));
            if (layer < widths.Length - 1)
            {
                x = b.Relu(x);
            }
        }

        b.AddOutput(x, "output", symbolicBatch: "batch_size");
        return b.ToBytes();
    }

    /// <summary>Gemm → Relu → Gemm → Sigmoid.</summary>
    public static byte[] SigmoidHead(int seed)
    {
        var random = new Random(seed);
        var b = new OnnxModelBuilder();
        var x = b.AddInput("input", [1, 4]);
        x = b.Relu(b.Gemm(x, Matrix(random, 6, 4), Vector(random, 6)));
        x = b.Sigmoid(b.Gemm(x, Matrix(random, 2, 6), Vector(random, 2)));
        b.AddOutput(x, "output");
        return b.ToBytes();
    }

    /// <summary>Conv(1→2, 3x3) → Relu → AveragePool(2) → Flatten → Gemm(→3) on a 1x1x6x6 image.</summary>
    public static byte[] SmallCnn(int seed, bool batchNorm = false)
    {
        var random = new Random(seed);
        var b = new OnnxModelBuilder();
        var x = b.AddInput("input", [1, 1, 6, 6]);
        x = b.Conv(x, Vector(random, 2 * 9, 0.6), [2, 1, 3, 3], Vector(random, 2, 0.2));
        if (batchNorm)
        {
            x = b.BatchNormalization(x, [1.2f, 0.8f], [0.1f, -0.2f], [0.05f, -0.1f], [0.9f, 1.1f]);
        }

        x = b.Relu(x);
        x = b.AveragePool(x, 2, 2);
        x = b.Flatten(x);
        x = b.Gemm(x, Matrix(random, 3, 8, 0.5), Vector(random, 3, 0.2));
        b.AddOutput(x, "output");
        return b.ToBytes();
    }

    /// <summary>A rank-3 input [1, 2, 3] times a constant [3, 4] (batch dims kept), then + bias.</summary>
    public static byte[] BatchMatMul(int seed)
    {
        var random = new Random(seed);
        var b = new OnnxModelBuilder();
        var x = b.AddInput("input", [1, 2, 3]);
        x = b.MatMul(x, Vector(random, 12, 1), [3, 4]);
        x = b.AddConstant(x, Vector(random, 4, 0.3), 4);
        b.AddOutput(x, "output");
        return b.ToBytes();
    }

    /// <summary>Transpose, Reshape, Gemm(alpha, beta, transB=0), LeakyRelu, Unsqueeze/Squeeze, Sub/Mul/Div by
    /// constants, Identity, Dropout, Tanh, MatMul + Add: the normalizations without a dedicated test model.</summary>
    public static byte[] NormalizationZoo(int seed)
    {
        var random = new Random(seed);
        var b = new OnnxModelBuilder();
        var x = b.AddInput("input", [1, 2, 3]);
        x = b.AddNode("Transpose", [x], [1, 3, 2], new Dictionary<string, object> { ["perm"] = new long[] { 0, 2, 1 } });
        x = b.AddNode("Reshape", [x, b.AddInt64Initializer("shape", 1, -1)], [1, 6]);
        var w = b.AddInitializer("gw", Vector(random, 24, 1), 6, 4);
        var c = b.AddInitializer("gc", Vector(random, 4, 0.3), 4);
        x = b.AddNode("Gemm", [x, w, c], [1, 4], new Dictionary<string, object> { ["alpha"] = 0.5f, ["beta"] = 2f });
        x = b.AddNode("LeakyRelu", [x], [1, 4], new Dictionary<string, object> { ["alpha"] = 0.1f });
        x = b.AddNode("Unsqueeze", [x, b.AddInt64Initializer("axes1", 1)], [1, 1, 4]);
        x = b.AddNode("Squeeze", [x, b.AddInt64Initializer("axes2", 1)], [1, 4]);
        x = b.AddNode("Sub", [x, b.AddInitializer("sub", Vector(random, 4, 0.2), 4)], [1, 4]);
        x = b.AddNode("Mul", [x, b.AddInitializer("mul", Vector(random, 4, 1.5), 4)], [1, 4]);
        x = b.AddNode("Div", [x, b.AddInitializer("div", [2f])], [1, 4]);
        x = b.AddNode("Identity", [x], [1, 4]);
        x = b.AddNode("Dropout", [x], [1, 4]);
        x = b.AddNode("Tanh", [x], [1, 4]);
        x = b.MatMul(x, Vector(random, 12, 1), [4, 3]);
        x = b.AddConstant(x, Vector(random, 3, 0.2), 3);
        b.AddOutput(x, "output");
        return b.ToBytes();
    }

    /// <summary>BatchNormalization with no Conv before it (expanded to Mul + Add), Relu, GlobalAveragePool, Flatten.</summary>
    public static byte[] StandaloneBatchNorm(int seed)
    {
        var random = new Random(seed);
        var b = new OnnxModelBuilder();
        var x = b.AddInput("input", [1, 2, 4, 4]);
        x = b.BatchNormalization(x, [1.5f, 0.7f], [0.1f, -0.1f], Vector(random, 2, 0.2), [0.5f, 2f]);
        x = b.Relu(x);
        x = b.AddNode("GlobalAveragePool", [x], [1, 2, 1, 1]);
        b.AddOutput(b.Flatten(x), "output");
        return b.ToBytes();
    }

    /// <summary>A grouped, padded, strided 3x3 Conv, then a 1x1 Conv, Relu, GlobalAveragePool, Flatten.</summary>
    public static byte[] ConvVariants(int seed)
    {
        var random = new Random(seed);
        var b = new OnnxModelBuilder();
        var x = b.AddInput("input", [1, 2, 6, 6]);
        x = b.Conv(x, Vector(random, 4 * 9, 0.5), [4, 1, 3, 3], Vector(random, 4, 0.2), stride: 2, padding: 1, group: 2);
        x = b.Conv(x, Vector(random, 8, 0.7), [2, 4, 1, 1], null);
        x = b.Relu(x);
        x = b.AddNode("GlobalAveragePool", [x], [1, 2, 1, 1]);
        b.AddOutput(b.Flatten(x), "output");
        return b.ToBytes();
    }

    public static float[] Input(int seed, int length)
    {
        var random = new Random(seed + 1000);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    /// <summary>The float outputs ONNX Runtime computes for one input.</summary>
    public static float[] Reference(byte[] onnx, float[] input, long[] shape)
    {
        using var session = new InferenceSession(onnx);
        var name = session.InputMetadata.Keys.First();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(input, shape.Select(d => (int)d).ToArray()))]);
        return results.First().AsEnumerable<float>().ToArray();
    }
}
