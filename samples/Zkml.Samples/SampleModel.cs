using Zkml.Ezkl.Onnx;

namespace Zkml.Samples;

/// <summary>
/// The sample's dataset and classifier: three Gaussian clusters in four features, and a 4-8-3 MLP (Gemm, Relu,
/// Gemm) trained on them with plain stochastic gradient descent and softmax cross-entropy, all in C#.
/// </summary>
public sealed class SampleModel
{
    /// <summary>Features per example.</summary>
    public const int Features = 4;

    /// <summary>Hidden units.</summary>
    public const int Hidden = 8;

    /// <summary>Classes.</summary>
    public const int Classes = 3;

    private SampleModel(float[,] w1, float[] b1, float[,] w2, float[] b2)
    {
        W1 = w1;
        B1 = b1;
        W2 = w2;
        B2 = b2;
    }

    /// <summary>First layer weights [hidden, features].</summary>
    public float[,] W1 { get; }

    /// <summary>First layer bias.</summary>
    public float[] B1 { get; }

    /// <summary>Second layer weights [classes, hidden].</summary>
    public float[,] W2 { get; }

    /// <summary>Second layer bias.</summary>
    public float[] B2 { get; }

    /// <summary>Accuracy on the training set after training.</summary>
    public double TrainingAccuracy { get; private set; }

    /// <summary>The cluster centres of the dataset.</summary>
    public static readonly float[][] Centres =
    [
        [0.6f, 0.2f, -0.4f, 0.1f],
        [-0.5f, 0.5f, 0.3f, -0.3f],
        [0.1f, -0.6f, 0.2f, 0.5f],
    ];

    /// <summary>A labelled dataset: <paramref name="perClass"/> examples around each centre (seeded).</summary>
    public static (float[][] X, int[] Y) MakeDataset(int perClass = 100, int seed = 7)
    {
        var random = new Random(seed);
        var x = new List<float[]>();
        var y = new List<int>();
        for (var c = 0; c < Classes; c++)
        {
            for (var i = 0; i < perClass; i++)
            {
                x.Add(Centres[c].Select(m => (float)(m + 0.18 * Gaussian(random))).Select(v => Math.Clamp(v, -1f, 1f)).ToArray());
                y.Add(c);
            }
        }

        return (x.ToArray(), y.ToArray());
    }

    /// <summary>An example input near the given class's centre.</summary>
    public static float[] Example(int label, int seed)
    {
        var random = new Random(seed);
        return Centres[label % Classes].Select(m => (float)Math.Round(Math.Clamp(m + 0.1 * Gaussian(random), -1, 1), 3)).ToArray();
    }

    /// <summary>Trains the MLP (seeded, deterministic).</summary>
    public static SampleModel Train(float[][] x, int[] y, int epochs = 60, double learningRate = 0.05, int seed = 11)
    {
        var random = new Random(seed);
        var w1 = new float[Hidden, Features];
        var w2 = new float[Classes, Hidden];
        for (var i = 0; i < Hidden; i++)
        {
            for (var j = 0; j < Features; j++)
            {
                w1[i, j] = (float)(Gaussian(random) * Math.Sqrt(2.0 / Features));
            }
        }

        for (var i = 0; i < Classes; i++)
        {
            for (var j = 0; j < Hidden; j++)
            {
                w2[i, j] = (float)(Gaussian(random) * Math.Sqrt(1.0 / Hidden));
            }
        }

        var model = new SampleModel(w1, new float[Hidden], w2, new float[Classes]);
        var order = Enumerable.Range(0, x.Length).ToArray();
        var h = new double[Hidden];
        var p = new double[Classes];
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            random.Shuffle(order);
            foreach (var n in order)
            {
                var input = x[n];
                for (var i = 0; i < Hidden; i++)
                {
                    double s = model.B1[i];
                    for (var j = 0; j < Features; j++)
                    {
                        s += w1[i, j] * input[j];
                    }

                    h[i] = Math.Max(0, s);
                }

                var logits = new double[Classes];
                for (var c = 0; c < Classes; c++)
                {
                    double s = model.B2[c];
                    for (var i = 0; i < Hidden; i++)
                    {
                        s += w2[c, i] * h[i];
                    }

                    logits[c] = s;
                }

                var max = logits.Max();
                var sum = 0.0;
                for (var c = 0; c < Classes; c++)
                {
                    p[c] = Math.Exp(logits[c] - max);
                    sum += p[c];
                }

                // Softmax cross-entropy gradient: p - onehot.
                var dLogits = new double[Classes];
                for (var c = 0; c < Classes; c++)
                {
                    dLogits[c] = p[c] / sum - (c == y[n] ? 1 : 0);
                }

                var dH = new double[Hidden];
                for (var c = 0; c < Classes; c++)
                {
                    for (var i = 0; i < Hidden; i++)
                    {
                        dH[i] += dLogits[c] * w2[c, i];
                        w2[c, i] -= (float)(learningRate * dLogits[c] * h[i]);
                    }

                    model.B2[c] -= (float)(learningRate * dLogits[c]);
                }

                for (var i = 0; i < Hidden; i++)
                {
                    if (h[i] <= 0)
                    {
                        continue;
                    }

                    for (var j = 0; j < Features; j++)
                    {
                        w1[i, j] -= (float)(learningRate * dH[i] * input[j]);
                    }

                    model.B1[i] -= (float)(learningRate * dH[i]);
                }
            }
        }

        model.TrainingAccuracy = x.Select((input, n) => ArgMax(model.Predict(input)) == y[n] ? 1.0 : 0.0).Average();
        return model;
    }

    /// <summary>The float logits for one input.</summary>
    public float[] Predict(float[] input)
    {
        var h = new float[Hidden];
        for (var i = 0; i < Hidden; i++)
        {
            var s = B1[i];
            for (var j = 0; j < Features; j++)
            {
                s += W1[i, j] * input[j];
            }

            h[i] = Math.Max(0, s);
        }

        var logits = new float[Classes];
        for (var c = 0; c < Classes; c++)
        {
            var s = B2[c];
            for (var i = 0; i < Hidden; i++)
            {
                s += W2[c, i] * h[i];
            }

            logits[c] = s;
        }

        return logits;
    }

    /// <summary>The model as ONNX (input "input" [1, 4], output "output" [1, 3]).</summary>
    public byte[] ToOnnx()
    {
        var b = new OnnxModelBuilder("zkml-sample-mlp");
        var x = b.AddInput("input", [1, Features], symbolicBatch: "batch_size");
        x = b.Relu(b.Gemm(x, W1, B1));
        x = b.Gemm(x, W2, B2);
        b.AddOutput(x, "output", symbolicBatch: "batch_size");
        return b.ToBytes();
    }

    /// <summary>Index of the largest value.</summary>
    public static int ArgMax(IReadOnlyList<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Count; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
