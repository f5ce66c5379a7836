using Zkml.Ezkl.Onnx;

namespace Zkml.Ezkl.Tests.Compilation;

/// <summary>Models that exercise the operator families, with known weights, in the shapes exporters write them.</summary>
internal static class OperatorModels
{
    /// <summary>
    /// x [1,6] → a shape chain that folds to a constant (Shape, Gather, Concat, Reshape), Split, Slice, Concat, Pad,
    /// Expand, a no-op Cast, ReduceSum and ReduceMean (a power-of-two and a general count), constants folded from
    /// Range, ConstantOfShape and Cast; then a Gemm to 3 outputs.
    /// </summary>
    public static byte[] ShapesAndReductions(int seed)
    {
        var random = new Random(seed);
        var b = new OnnxModelBuilder();
        var x = b.AddInput("x", [1, 6]);
        var shape = b.AddNode("Shape", [x], [2]);
        var batch = b.AddNode("Gather", [shape, b.AddInt64Initializer("first", 0)], [1], new Dictionary<string, object> { ["axis"] = 0L });
        var target = b.AddNode("Concat", [batch, b.AddInt64Initializer("rest", 2, 3)], [3], new Dictionary<string, object> { ["axis"] = 0L });
        var cube = b.AddNode("Reshape", [x, target], [1, 2, 3]);
        var cast = b.AddNode("Cast", [cube], [1, 2, 3], new Dictionary<string, object> { ["to"] = 1L });
        var halves = b.AddNode("Split", [cast, b.AddInt64Initializer("halves", 1, 1)], [[1, 1, 3], [1, 1, 3]], new Dictionary<string, object> { ["axis"] = 1L });
        var swapped = b.AddNode("Concat", [halves[1], halves[0]], [1, 2, 3], new Dictionary<string, object> { ["axis"] = 1L });
        var padded = b.AddNode("Pad", [swapped, b.AddInt64Initializer("pads", 0, 0, 1, 0, 0, 1)], [1, 2, 5]);
        var sliced = b.AddNode("Slice", [cast, b.AddInt64Initializer("starts", 1), b.AddInt64Initializer("ends", 3), b.AddInt64Initializer("axes", 2)], [1, 2, 2]);
        var expanded = b.AddNode("Expand", [halves[0], b.AddInt64Initializer("wide", 1, 2, 3)], [1, 2, 3]);
        var sum = b.AddNode("ReduceSum", [cast, b.AddInt64Initializer("sum_axes", 2)], [1, 2, 1], new Dictionary<string, object> { ["keepdims"] = 1L });
        var meanOfThree = b.AddNode("ReduceMean", [cast], [1, 2], new Dictionary<string, object> { ["axes"] = new long[] { 2 }, ["keepdims"] = 0L });
        var meanOfTwo = b.AddNode("ReduceMean", [cast], [1, 3], new Dictionary<string, object> { ["axes"] = new long[] { 1 }, ["keepdims"] = 0L });

        string Row(string t, long n) => b.AddNode("Reshape", [t, b.AddInt64Initializer($"row{n}_{t}", 1, n)], [1, n]);
        var all = b.AddNode(
            "Concat",
            [Row(padded, 10), Row(sliced, 4), Row(expanded, 6), Row(sum, 2), meanOfThree, meanOfTwo],
            [1, 27],
            new Dictionary<string, object> { ["axis"] = 1L });

        // Constants that tract folds: Range → Cast → Mul, and ConstantOfShape.
        string Scalar(long value) => b.AddNode("Constant", [], Array.Empty<long>(), new Dictionary<string, object> { ["value_int"] = value });
        var range = b.AddNode("Range", [Scalar(0), Scalar(27), Scalar(1)], [27]);
        var rangeFloat = b.AddNode("Cast", [range], [27], new Dictionary<string, object> { ["to"] = 1L });
        var ramp = b.AddNode("Mul", [rangeFloat, b.AddInitializer("step", [0.01f], 1)], [27]);
        var offset = b.AddNode("Add", [all, ramp], [1, 27]);
        var filled = b.AddNode("ConstantOfShape", [b.AddInt64Initializer("fill_shape", 1, 27)], [1, 27]);
        var shifted = b.AddNode("Sub", [offset, filled], [1, 27]);
        b.AddOutput(b.Gemm(shifted, TestModels.Matrix(random, 3, 27, 0.5), TestModels.Vector(random, 3)), "output");
        return b.ToBytes();
    }

    /// <summary>x [1,4] → every lookup family member ezkl imports (some on x/2, whose Mul by 0.5 is ezkl's rescaling
    /// Identity), Softplus (Exp, Add, Ln), concatenated.</summary>
    public static byte[] Lookups()
    {
        var b = new OnnxModelBuilder(opset: 14); // HardSwish is an opset-14 op
        var x = b.AddInput("x", [1, 4]);
        var half = b.AddNode("Mul", [x, b.AddInitializer("half", [0.5f], 1)], [1, 4]);
        var parts = new List<string>();
        foreach (var op in new[] { "Exp", "Erf", "Sin", "Cos", "Tan", "Atan", "Sinh", "Cosh", "Asinh", "HardSwish", "Softplus", "Tanh", "Sigmoid" })
        {
            parts.Add(b.AddNode(op, [x], [1, 4]));
        }

        foreach (var op in new[] { "Asin", "Acos", "Atanh" })
        {
            parts.Add(b.AddNode(op, [half], [1, 4]));
        }

        var all = b.AddNode("Concat", parts, [1, 4 * parts.Count], new Dictionary<string, object> { ["axis"] = 1L });
        b.AddOutput(all, "output");
        return b.ToBytes();
    }

    /// <summary>x [1,4] → the decomposition family: Abs, Neg, Sign, pairwise Max/Min, Clip (ReLU6 and a general
    /// range), comparisons, Where, Not/And/Or/Xor, PRelu and HardSigmoid; booleans cast to float, concatenated.</summary>
    public static byte[] Decompositions()
    {
        var b = new OnnxModelBuilder();
        var x = b.AddInput("x", [1, 4]);
        long[] s = [1, 4];
        string Float(string t) => b.AddNode("Cast", [t], s, new Dictionary<string, object> { ["to"] = 1L });
        string Node(string op, params string[] inputs) => b.AddNode(op, inputs, s);
        string Scalar(string name, float v) => b.AddInitializer(name, [v], 1);
        var scaled = Node("Mul", x, b.AddInitializer("w", [0.75f, -1.25f, 0.5f, 1.5f], 1, 4));
        var thresholds = b.AddInitializer("t", [0.1f, -0.3f, 0.45f, -0.05f], 1, 4);
        var less = Node("Less", x, thresholds);
        var greater = Node("Greater", x, scaled);
        var parts = new List<string>
        {
            Node("Abs", x),
            Node("Neg", x),
            Float(Node("Sign", x)),
            Node("Max", x, scaled),
            Node("Min", x, scaled),
            Node("Clip", x, Scalar("lo", -0.5f), Scalar("hi", 0.5f)),
            Node("Clip", scaled, Scalar("zero", 0f), Scalar("six", 0.6f)),
            Float(less),
            Float(greater),
            Float(Node("GreaterOrEqual", x, thresholds)),
            Float(Node("LessOrEqual", scaled, thresholds)),
            Float(Node("Equal", Node("Sign", x), b.AddInitializer("one", [1f, 1f, 1f, 1f], 1, 4))),
            Float(Node("Not", less)),
            Float(Node("And", less, greater)),
            Float(Node("Or", less, greater)),
            Float(Node("Xor", less, greater)),
            Node("Where", less, x, scaled),
            Node("Where", greater, b.AddInitializer("leaf_a", [0.25f, -0.5f, 0.75f, 1f], 1, 4), b.AddInitializer("leaf_b", [-0.25f, 0.5f, 0f, -1f], 1, 4)),
            Node("PRelu", x, b.AddInitializer("slope", [0.1f, 0.2f, 0.3f, 0.25f], 1, 4)),
            Node("HardSigmoid", scaled),
        };
        b.AddOutput(b.AddNode("Concat", parts, [1, 4 * parts.Count], new Dictionary<string, object> { ["axis"] = 1L }), "output");
        return b.ToBytes();
    }

    /// <summary>x [1,1,6,6] → Conv 3x3 (2 channels) → Relu → MaxPool 2x2/2 → Gemm(3), next to GlobalMaxPool of the
    /// Relu and ReduceMax / ReduceMin of the Gemm: ezkl's sort and shuffle argument.</summary>
    public static byte[] Pooling(int seed)
    {
        var random = new Random(seed);
        var b = new OnnxModelBuilder();
        var x = b.AddInput("x", [1, 1, 6, 6]);
        var kernel = Enumerable.Range(0, 18).Select(_ => (float)((random.NextDouble() * 2) - 1) * 0.5f).ToArray();
        var relu = b.Relu(b.Conv(x, kernel, [2, 1, 3, 3], TestModels.Vector(random, 2, 0.1)));
        var pooled = b.AddNode("MaxPool", [relu], [1, 2, 2, 2], new Dictionary<string, object> { ["kernel_shape"] = new long[] { 2, 2 }, ["strides"] = new long[] { 2, 2 } });
        var dense = b.Gemm(b.Flatten(pooled), TestModels.Matrix(random, 3, 8, 0.5), TestModels.Vector(random, 3));
        var global = b.Flatten(b.AddNode("GlobalMaxPool", [relu], [1, 2, 1, 1]));
        var max = b.AddNode("ReduceMax", [dense], [1, 1], new Dictionary<string, object> { ["axes"] = new long[] { 1 }, ["keepdims"] = 1L });
        var min = b.AddNode("ReduceMin", [dense], [1, 1], new Dictionary<string, object> { ["axes"] = new long[] { 1 }, ["keepdims"] = 1L });
        b.AddOutput(b.AddNode("Concat", [dense, global, max, min], [1, 7], new Dictionary<string, object> { ["axis"] = 1L }), "output");
        return b.ToBytes();
    }

    /// <summary>A two-tree ensemble in the shape scikit-learn's exporters write (comparisons against thresholds,
    /// Where choosing leaves, the trees' votes summed), ending in ArgMax over the 3 classes, next to ArgMin, the
    /// class scores and the two best scores (TopK): ezkl's sort argument plus a dynamic lookup per argmax.</summary>
    public static byte[] TreeEnsemble()
    {
        var b = new OnnxModelBuilder();
        var x = b.AddInput("x", [1, 4]);
        long[] row = [1, 3];
        string Feature(int i) => b.AddNode("Slice", [x, b.AddInt64Initializer($"s{i}", i), b.AddInt64Initializer($"e{i}", i + 1), b.AddInt64Initializer($"a{i}", 1)], [1, 1]);
        string Less(string f, float t, string name) => b.AddNode("Less", [f, b.AddInitializer(name, [t], 1, 1)], [1, 1]);
        string Leaf(string name, params float[] scores) => b.AddInitializer(name, scores, 1, 3);
        string Where(string c, string a, string z) => b.AddNode("Where", [c, a, z], row);

        // tree 1: x0 < 0.1 ? (x1 < -0.2 ? A : B) : C
        var t1 = Where(Less(Feature(0), 0.1f, "t1"), Where(Less(Feature(1), -0.2f, "t2"), Leaf("A", 0.9f, 0.05f, 0.05f), Leaf("B", 0.2f, 0.7f, 0.1f)), Leaf("C", 0.1f, 0.2f, 0.7f));
        // tree 2: x2 < 0.3 ? D : (x3 < 0 ? E : F)
        var t2 = Where(Less(Feature(2), 0.3f, "t3"), Leaf("D", 0.6f, 0.3f, 0.1f), Where(Less(Feature(3), 0f, "t4"), Leaf("E", 0.1f, 0.8f, 0.1f), Leaf("F", 0.2f, 0.2f, 0.6f)));
        var scores = b.AddNode("Add", [t1, t2], row);
        var best = b.AddNode("Cast", [b.AddNode("ArgMax", [scores], [1, 1], new Dictionary<string, object> { ["axis"] = 1L, ["keepdims"] = 1L })], [1, 1], new Dictionary<string, object> { ["to"] = 1L });
        var worst = b.AddNode("Cast", [b.AddNode("ArgMin", [scores], [1, 1], new Dictionary<string, object> { ["axis"] = 1L, ["keepdims"] = 1L })], [1, 1], new Dictionary<string, object> { ["to"] = 1L });
        var top2 = b.AddNode("TopK", [scores, b.AddInt64Initializer("k", 2)], [[1, 2], [1, 2]], new Dictionary<string, object> { ["axis"] = 1L })[0];
        b.AddOutput(b.AddNode("Concat", [best, worst, scores, top2], [1, 7], new Dictionary<string, object> { ["axis"] = 1L }), "output");
        return b.ToBytes();
    }

    /// <summary>x [1,4] → Sqrt, Reciprocal, Div by a computed value, Pow 3 (Poly Pow), Pow 1.5 (Lookup Pow) and
    /// Softmax: ezkl's division gadgets (Hybrid Sqrt, Recip, Softmax).</summary>
    public static byte[] Divisions()
    {
        var b = new OnnxModelBuilder();
        var x = b.AddInput("x", [1, 4]);
        long[] s = [1, 4];
        string Node(string op, params string[] inputs) => b.AddNode(op, inputs, s);
        string Plus(string t, float c, string name) => Node("Add", t, b.AddInitializer(name, [c], 1));
        var magnitude = Node("Abs", x);
        var parts = new List<string>
        {
            Node("Sqrt", Plus(magnitude, 0.25f, "quarter")),
            Node("Reciprocal", Plus(magnitude, 0.5f, "half")),
            Node("Div", x, Plus(magnitude, 1f, "one")),
            Node("Pow", x, b.AddInitializer("three", [3f], 1)),
            Node("Pow", Plus(magnitude, 0.25f, "quarter2"), b.AddInitializer("threehalves", [1.5f], 1)),
            b.AddNode("Softmax", [x], s, new Dictionary<string, object> { ["axis"] = 1L }),
        };
        b.AddOutput(b.AddNode("Concat", parts, [1, 4 * parts.Count], new Dictionary<string, object> { ["axis"] = 1L }), "output");
        return b.ToBytes();
    }

    /// <summary>One transformer block on 3 tokens of width 4: LayerNormalization, single-head attention (MatMul,
    /// scores scaled by 1/2, Softmax), a residual, an MLP with exact GELU (Erf) and a second residual.</summary>
    public static byte[] TransformerBlock(int seed)
    {
        var random = new Random(seed);
        var b = new OnnxModelBuilder(opset: 17); // LayerNormalization is an opset-17 op
        var x = b.AddInput("x", [1, 3, 4]);
        long[] tokens = [1, 3, 4];
        float[] Weights(int n, double range) => Enumerable.Range(0, n).Select(_ => (float)(((random.NextDouble() * 2) - 1) * range)).ToArray();
        string Project(string t, string name) => b.AddNode("MatMul", [t, b.AddInitializer(name, Weights(16, 0.6), 4, 4)], tokens);
        var ln = b.AddNode("LayerNormalization", [x, b.AddInitializer("gamma", Weights(4, 1).Select(v => 1 + (v * 0.2f)).ToArray(), 4), b.AddInitializer("beta", Weights(4, 0.1), 4)], tokens, new Dictionary<string, object> { ["axis"] = -1L, ["epsilon"] = 1e-5f });
        var (q, k, v) = (Project(ln, "Wq"), Project(ln, "Wk"), Project(ln, "Wv"));
        var kT = b.AddNode("Transpose", [k], [1, 4, 3], new Dictionary<string, object> { ["perm"] = new long[] { 0, 2, 1 } });
        var scores = b.AddNode("Mul", [b.AddNode("MatMul", [q, kT], [1, 3, 3]), b.AddInitializer("inv_sqrt_d", [0.5f], 1)], [1, 3, 3]);
        var attention = b.AddNode("Softmax", [scores], [1, 3, 3], new Dictionary<string, object> { ["axis"] = -1L });
        var residual = b.AddNode("Add", [x, b.AddNode("MatMul", [attention, v], tokens)], tokens);
        var h = Project(residual, "W1");
        var erf = b.AddNode("Erf", [b.AddNode("Div", [h, b.AddInitializer("sqrt2", [MathF.Sqrt(2)], 1)], tokens)], tokens);
        var gelu = b.AddNode("Mul", [b.AddNode("Mul", [h, b.AddNode("Add", [erf, b.AddInitializer("one", [1f], 1)], tokens)], tokens), b.AddInitializer("halfc", [0.5f], 1)], tokens);
        var output = b.AddNode("Add", [residual, Project(gelu, "W2")], tokens);
        b.AddOutput(b.AddNode("Reshape", [output, b.AddInt64Initializer("flat", 1, 12)], [1, 12]), "output");
        return b.ToBytes();
    }

    /// <summary>A LeNet-5-shaped network at a size that proves in seconds: x [1,1,8,8] → Conv 3x3 (2) → Relu →
    /// MaxPool 2 → Conv 2x2 (3) → Relu → MaxPool 2 → Flatten → Gemm 6 → Relu → Gemm 3 → Softmax.</summary>
    public static byte[] LeNet(int seed)
    {
        var random = new Random(seed);
        float[] Weights(int n, double range) => Enumerable.Range(0, n).Select(_ => (float)(((random.NextDouble() * 2) - 1) * range)).ToArray();
        var b = new OnnxModelBuilder();
        var x = b.AddInput("x", [1, 1, 8, 8]);
        var pool = new Dictionary<string, object> { ["kernel_shape"] = new long[] { 2, 2 }, ["strides"] = new long[] { 2, 2 } };
        var c1 = b.AddNode("MaxPool", [b.Relu(b.Conv(x, Weights(18, 0.6), [2, 1, 3, 3], Weights(2, 0.1)))], [1, 2, 3, 3], pool);
        var c2 = b.AddNode("MaxPool", [b.Relu(b.Conv(c1, Weights(24, 0.6), [3, 2, 2, 2], Weights(3, 0.1)))], [1, 3, 1, 1], pool);
        var f1 = b.Relu(b.Gemm(b.Flatten(c2), TestModels.Matrix(random, 6, 3, 0.8), TestModels.Vector(random, 6)));
        var logits = b.Gemm(f1, TestModels.Matrix(random, 3, 6, 0.8), TestModels.Vector(random, 3));
        b.AddOutput(b.AddNode("Softmax", [logits], [1, 3], new Dictionary<string, object> { ["axis"] = 1L }), "output");
        return b.ToBytes();
    }

    /// <summary>A text classifier: 4 token ids (int64) → embedding Gather from an 8 x 4 table → mean over the tokens →
    /// Gemm 6 → Relu → Gemm 2 → Softmax.</summary>
    public static byte[] EmbeddingClassifier(int seed)
    {
        var random = new Random(seed);
        var b = new OnnxModelBuilder();
        var ids = b.AddInt64Input("ids", [4]);
        var table = b.AddInitializer("embedding", Enumerable.Range(0, 32).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray(), 8, 4);
        var embedded = b.AddNode("Gather", [table, ids], [4, 4], new Dictionary<string, object> { ["axis"] = 0L });
        var pooled = b.AddNode("ReduceMean", [embedded], [1, 4], new Dictionary<string, object> { ["axes"] = new long[] { 0 }, ["keepdims"] = 1L });
        var hidden = b.Relu(b.Gemm(pooled, TestModels.Matrix(random, 6, 4, 0.8), TestModels.Vector(random, 6)));
        var logits = b.Gemm(hidden, TestModels.Matrix(random, 2, 6, 0.8), TestModels.Vector(random, 2));
        b.AddOutput(b.AddNode("Softmax", [logits], [1, 2], new Dictionary<string, object> { ["axis"] = 1L }), "output");
        return b.ToBytes();
    }

    /// <summary>x [1,2,2,2] → ops tract rewrites into others: Elu, Selu, Celu, Softsign, ReduceL1, ReduceL2,
    /// ReduceSumSquare, ReduceLogSumExp, InstanceNormalization, GlobalAveragePool (Sum + 1/4) and Mul(x, x) (Pow 2).</summary>
    public static byte[] Compositions()
    {
        var b = new OnnxModelBuilder();
        var x = b.AddInput("x", [1, 2, 2, 2]);
        long[] s = [1, 2, 2, 2];
        string Flat(string t, long n) => b.AddNode("Reshape", [t, b.AddInt64Initializer($"flat_{t}", 1, n)], [1, n]);
        string Reduce(string op) => b.AddNode(op, [x], [1, 2], new Dictionary<string, object> { ["axes"] = new long[] { 2, 3 }, ["keepdims"] = 0L });
        var parts = new List<string>
        {
            Flat(b.AddNode("Elu", [x], s, new Dictionary<string, object> { ["alpha"] = 0.8f }), 8),
            Flat(b.AddNode("Selu", [x], s), 8),
            Flat(b.AddNode("Celu", [x], s, new Dictionary<string, object> { ["alpha"] = 1.5f }), 8),
            Flat(b.AddNode("Softsign", [x], s), 8),
            Reduce("ReduceL1"),
            Reduce("ReduceL2"),
            Reduce("ReduceSumSquare"),
            Reduce("ReduceLogSumExp"),
            Flat(b.AddNode("InstanceNormalization", [x, b.AddInitializer("in_scale", [1.2f, 0.8f], 2), b.AddInitializer("in_bias", [0.1f, -0.2f], 2)], s), 8),
            Flat(b.AddNode("GlobalAveragePool", [x], [1, 2, 1, 1]), 2),
            Flat(b.AddNode("Mul", [x, x], s), 8),
        };
        b.AddOutput(b.AddNode("Concat", parts, [1, 66], new Dictionary<string, object> { ["axis"] = 1L }), "output");
        return b.ToBytes();
    }
}
