using Zkml.Ezkl.Onnx;

namespace Zkml.Ezkl.Compilation.Normalization;

/// <summary>The op kinds of the normalized graph: what tract's typed, decluttered graph holds for the
/// supported ONNX subset, before ezkl maps each node to a circuit op.</summary>
internal enum TypedKind
{
    Source,
    Const,
    EinSum,
    Add,
    Sub,
    Mul,
    Max,
    LeakyRelu,
    Sigmoid,
    Tanh,
    Reshape,
    MoveAxis,
    Conv,
    SumPool,
    Concat,
    Slice,
    Broadcast,
    Pad,
    Identity,
    Lookup,
    Sum,
    Gather,
    Maximum,
    Minimum,
    Compare,
    Iff,
    Logic,
    Abs,
    Sign,
    Neg,
    ReduceMax,
    MaxPool,
    ArgMax,
    Recip,
    Sqrt,
    Rsqrt,
    Softmax,
    MeanOfSquares,
    Pow,
    TopK,
}

/// <summary>Convolution / pooling geometry for 2-D NCHW tensors.</summary>
internal sealed record WindowSpec(long[] Kernel, long[] Strides, (long Begin, long End)[] Padding, long Group);

/// <summary>A node of the normalized graph.</summary>
internal sealed class TypedNode
{
    public required TypedKind Kind { get; init; }

    public required IReadOnlyList<TypedNode> Inputs { get; init; }

    public required long[] Shape { get; init; }

    /// <summary>The ONNX node (or tensor) this came from, for messages and the model table.</summary>
    public required string Origin { get; init; }

    public ElementKind ElementKind { get; init; } = ElementKind.Float;

    public DenseTensor? Value { get; init; }

    public string? Equation { get; init; }

    public float Alpha { get; init; }

    public int From { get; init; }

    public int To { get; init; }

    public WindowSpec? Window { get; init; }

    /// <summary>Concat, Slice, Gather: the axis.</summary>
    public int Axis { get; init; }

    /// <summary>Slice: the first index kept.</summary>
    public long Start { get; init; }

    /// <summary>Slice: one past the last index kept.</summary>
    public long End { get; init; }

    /// <summary>Sum: the reduced axes (kept as size 1).</summary>
    public long[]? Axes { get; init; }

    /// <summary>Pad: (begin, end) per axis.</summary>
    public (long Begin, long End)[]? Pads { get; init; }

    /// <summary>Lookup: ezkl's LookupOp variant name (Exp, Erf, Ln, Sin...).</summary>
    public string? LookupName { get; init; }

    /// <summary>Compare and Logic: ezkl's variant (Greater, GreaterEqual, Less, LessEqual, Equals; Not, And, Or, Xor).</summary>
    public string? Variant { get; init; }

    /// <summary>Identity: how much the output scale exceeds the input's (null keeps it: ezkl's <c>out_scale: None</c>).</summary>
    public int? ScaleShift { get; init; }

    /// <summary>Pow: the exponent (integer: Poly Pow; otherwise Lookup Pow).</summary>
    public double Exponent { get; init; }

    /// <summary>Gather: the constant indices (non-negative).</summary>
    public DenseTensor? Indices { get; init; }

    public bool IsLeaf => Kind is TypedKind.Source or TypedKind.Const;

    public override string ToString() => $"{Kind} [{string.Join(",", Shape)}] from {Origin}";
}

/// <summary>A normalized graph in tract's evaluation order: node i is ezkl node index i.</summary>
internal sealed record TypedGraph(IReadOnlyList<TypedNode> Nodes, IReadOnlyList<TypedNode> Inputs, IReadOnlyList<TypedNode> Outputs)
{
    /// <summary>
    /// Orders nodes like tract's <c>eval_order</c> after <c>compact()</c>: a depth-first walk from the
    /// outputs that visits each node's non-leaf inputs first, then its leaf inputs (sources and
    /// constants), each group in slot order. Nodes that no output depends on are dropped. Model
    /// inputs that no output uses still get an index so the input count is preserved.
    /// </summary>
    public static TypedGraph InEvalOrder(IReadOnlyList<TypedNode> inputs, IReadOnlyList<TypedNode> outputs)
    {
        var order = new List<TypedNode>();
        var done = new HashSet<TypedNode>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(TypedNode Node, bool Expanded)>();
        foreach (var output in outputs)
        {
            stack.Push((output, false));
            while (stack.Count > 0)
            {
                var (node, expanded) = stack.Pop();
                if (done.Contains(node))
                {
                    continue;
                }

                if (expanded)
                {
                    done.Add(node);
                    order.Add(node);
                    continue;
                }

                stack.Push((node, true));
                var ordered = node.Inputs.Where(i => !i.IsLeaf).Concat(node.Inputs.Where(i => i.IsLeaf)).ToList();
                for (var i = ordered.Count - 1; i >= 0; i--)
                {
                    if (!done.Contains(ordered[i]))
                    {
                        stack.Push((ordered[i], false));
                    }
                }
            }
        }

        foreach (var input in inputs)
        {
            if (done.Add(input))
            {
                order.Add(input);
            }
        }

        return new TypedGraph(order, inputs, outputs);
    }
}
