using System.Numerics;
using Zkml.Ezkl.Compilation.Circuit;
using Zkml.Ezkl.Compilation.Normalization;
using Zkml.Ezkl.Onnx;

namespace Zkml.Ezkl.Compilation;

/// <summary>
/// Maps a normalized graph to ezkl's circuit graph the way ezkl 21's <c>Model::nodes_from_graph</c>
/// and <c>Node::new</c> do: chooses each node's op, quantizes constants, propagates scales,
/// homogenizes the inputs of Add/Sub (requantizing single-use constants or wrapping in
/// <c>Rescaled</c>), rebases products that exceed the target scale, and finally drops unused
/// nodes and empties every constant's raw values.
/// </summary>
internal static class CircuitBuilder
{
    private sealed class Entry
    {
        public required SupportedOp Op { get; set; }

        public required int OutScale { get; set; }

        public required List<int> Inputs { get; init; }

        public required ulong[] OutDims { get; init; }

        public required int NumUses { get; set; }

        public DenseTensor? Raw { get; init; }
    }

    public static GraphModel Build(TypedGraph graph, RunArgs runArgs)
    {
        var index = new Dictionary<TypedNode, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            index[graph.Nodes[i]] = i;
        }

        var successors = new int[graph.Nodes.Count];
        foreach (var node in graph.Nodes)
        {
            foreach (var input in node.Inputs)
            {
                successors[index[input]]++;
            }
        }

        var globalScale = Math.Max(runArgs.InputScale, runArgs.ParamScale);
        var target = globalScale * (int)runArgs.ScaleRebaseMultiplier;
        var entries = new Entry[graph.Nodes.Count];
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            var inputs = node.Inputs.Select(n => index[n]).ToList();
            var entry = new Entry
            {
                Op = new UnknownOp(),
                OutScale = 0,
                Inputs = inputs,
                OutDims = node.Shape.Length == 0 ? [1] : node.Shape.Select(d => (ulong)d).ToArray(),
                NumUses = Math.Max(successors[i], 1),
                Raw = node.Value,
            };
            entries[i] = entry;
            Describe(node, entry, entries, runArgs);

            // RebaseScale::rebase
            if (entry.OutScale > target && entry.Op is not (ConstantOp or InputOp))
            {
                var multiplier = Math.Pow(2, entry.OutScale - target);
                entry.Op = entry.Op is RebaseScaleOp existing
                    ? existing with
                    {
                        Multiplier = existing.Multiplier * multiplier,
                        RebaseOp = CircuitOp.Hybrid("Div", (float)(existing.Multiplier * multiplier)),
                        TargetScale = target,
                    }
                    : new RebaseScaleOp(entry.Op, CircuitOp.Hybrid("Div", (float)multiplier), target, entry.OutScale, multiplier);
                entry.OutScale = target;
            }
        }

        var nodes = new SortedDictionary<ulong, GraphNode>();
        for (var i = 0; i < entries.Length; i++)
        {
            var e = entries[i];
            if (e.Op is ConstantOp c)
            {
                e.Op = c with { RawValues = FloatTensor.Emptied };
            }

            if (e.NumUses > 0)
            {
                nodes[(ulong)i] = new GraphNode(e.Op, e.OutScale, e.Inputs.Select(x => ((ulong)x, 0UL)).ToList(), e.OutDims, (ulong)i, (ulong)e.NumUses);
            }
        }

        return new GraphModel(
            nodes,
            graph.Inputs.Select(n => (ulong)index[n]).ToList(),
            graph.Outputs.Select(n => ((ulong)index[n], 0UL)).ToList(),
            graph.Outputs.Select(n => TypeOf(n.ElementKind)).ToList(),
            runArgs.InputVisibility,
            runArgs.ParamVisibility,
            runArgs.OutputVisibility);
    }

    internal static InputType TypeOf(ElementKind kind) => kind switch
    {
        ElementKind.Bool => InputType.Bool,
        ElementKind.Integer => InputType.Int,
        _ => InputType.F32,
    };

    private static void Describe(TypedNode node, Entry entry, Entry[] entries, RunArgs runArgs)
    {
        var globalScale = Math.Max(runArgs.InputScale, runArgs.ParamScale);
        int InScale(int slot) => entries[entry.Inputs[slot]].OutScale;

        switch (node.Kind)
        {
            case TypedKind.Source:
                {
                    var scale = node.ElementKind == ElementKind.Float ? runArgs.InputScale : 0;
                    entry.Op = new InputOp(scale, TypeOf(node.ElementKind), !runArgs.IgnoreRangeCheckInputsOutputs);
                    entry.OutScale = scale;
                    break;
                }

            case TypedKind.Const:
                {
                    var value = node.Value!;
                    var scale = value.Kind != ElementKind.Float ? 0
                        : runArgs.RebaseFracZeroConstants && value.Data.All(v => v == Math.Floor(v)) ? 0
                        : runArgs.ParamScale;
                    entry.Op = MakeConstant(value, scale, runArgs);
                    entry.OutScale = scale;
                    break;
                }

            case TypedKind.EinSum:
                entry.Op = new LinearOp(CircuitOp.Poly("Einsum", node.Equation!));
                entry.OutScale = InScale(0) + InScale(1);
                break;

            case TypedKind.Add:
            case TypedKind.Sub:
                Homogenize(entry, entries, runArgs, new LinearOp(CircuitOp.Poly(node.Kind == TypedKind.Add ? "Add" : "Sub")));
                break;

            case TypedKind.Mul:
                if (PowerOfTwoReciprocal(entry, entries) is { } reciprocal)
                {
                    var (constantSlot, shift) = reciprocal;
                    // ezkl (new_op_from_onnx "Mul"): x times a scalar constant 1/2^k is x read at scale + k.
                    var other = 1 - constantSlot;
                    entries[entry.Inputs[constantSlot]].NumUses--;
                    var inScale = InScale(other);
                    entry.Inputs.RemoveAt(constantSlot);
                    entry.Op = new LinearOp(CircuitOp.Poly("Identity", (int?)(inScale + shift)));
                    entry.OutScale = inScale + shift;
                    break;
                }

                entry.Op = new LinearOp(CircuitOp.Poly("Mult"));
                entry.OutScale = InScale(0) + InScale(1);
                break;

            case TypedKind.Concat:
                Homogenize(entry, entries, runArgs, new LinearOp(CircuitOp.Poly("Concat", (ulong)node.Axis)));
                break;

            case TypedKind.Slice:
                entry.Op = new LinearOp(CircuitOp.Poly("Slice", (ulong)node.Axis, (ulong)node.Start, (ulong)node.End));
                entry.OutScale = InScale(0);
                break;

            case TypedKind.Broadcast:
                entry.Op = new LinearOp(CircuitOp.Poly("MultiBroadcastTo", entry.OutDims));
                entry.OutScale = InScale(0);
                break;

            case TypedKind.Pad:
                entry.Op = new LinearOp(CircuitOp.Poly("Pad", node.Pads!.Select(p => ((ulong)p.Begin, (ulong)p.End)).ToArray()));
                entry.OutScale = InScale(0);
                break;

            case TypedKind.Identity:
                entry.Op = new LinearOp(CircuitOp.Poly("Identity", node.ScaleShift is { } s ? InScale(0) + s : (int?)null));
                entry.OutScale = InScale(0) + (node.ScaleShift ?? 0);
                break;

            case TypedKind.Lookup:
                entry.Op = new NonlinearOp(node.LookupName == "Exp"
                    ? CircuitOp.Lookup("Exp", (float)Quantization.Multiplier(InScale(0)), (float)Math.E)
                    : CircuitOp.Lookup(node.LookupName!, (float)Quantization.Multiplier(InScale(0))));
                entry.OutScale = InScale(0);
                break;

            case TypedKind.Sum:
                entry.Op = new LinearOp(CircuitOp.Poly("Sum", node.Axes!.Select(a => (ulong)a).ToArray()));
                entry.OutScale = InScale(0);
                break;

            case TypedKind.Maximum:
            case TypedKind.Minimum:
                Homogenize(entry, entries, runArgs, new HybridOp(CircuitOp.Hybrid(node.Kind == TypedKind.Maximum ? "Max" : "Min")));
                break;

            case TypedKind.Compare:
                Homogenize(entry, entries, runArgs, new HybridOp(CircuitOp.Hybrid(node.Variant!)));
                entry.OutScale = 0;
                break;

            case TypedKind.Iff:
                Homogenize(entry, entries, runArgs, new LinearOp(CircuitOp.Poly("Iff")), [1, 2]);
                break;

            case TypedKind.Logic:
                entry.Op = new LinearOp(CircuitOp.Poly(node.Variant!));
                entry.OutScale = 0;
                break;

            case TypedKind.Abs:
            case TypedKind.Neg:
                entry.Op = new LinearOp(CircuitOp.Poly(node.Kind == TypedKind.Abs ? "Abs" : "Neg"));
                entry.OutScale = InScale(0);
                break;

            case TypedKind.Sign:
                entry.Op = new LinearOp(CircuitOp.Poly("Sign"));
                entry.OutScale = 0;
                break;

            case TypedKind.ReduceMax:
                entry.Op = new HybridOp(CircuitOp.Hybrid(node.Variant!, node.Axes!.Select(a => (ulong)a).ToArray()));
                entry.OutScale = InScale(0);
                break;

            case TypedKind.Recip:
            case TypedKind.Rsqrt:
                {
                    var inScale = InScale(0);
                    var outScale = Math.Max(globalScale, inScale);
                    entry.Op = new HybridOp(CircuitOp.Hybrid(node.Kind == TypedKind.Recip ? "Recip" : "Rsqrt", (float)Quantization.Multiplier(inScale), (float)Quantization.Multiplier(outScale)));
                    entry.OutScale = outScale;
                    break;
                }

            case TypedKind.Sqrt:
                entry.Op = new HybridOp(CircuitOp.Hybrid("Sqrt", (float)Quantization.Multiplier(InScale(0))));
                entry.OutScale = InScale(0);
                break;

            case TypedKind.Softmax:
                {
                    var inScale = InScale(0);
                    var outScale = Math.Max(globalScale, inScale);
                    entry.Op = new HybridOp(CircuitOp.Hybrid("Softmax", (float)Quantization.Multiplier(inScale), (float)Quantization.Multiplier(outScale), node.Axes!.Select(a => (ulong)a).ToArray()));
                    entry.OutScale = inScale + outScale;
                    break;
                }

            case TypedKind.MeanOfSquares:
                entry.Op = new LinearOp(CircuitOp.Poly("MeanOfSquares", node.Axes!.Select(a => (ulong)a).ToArray()));
                entry.OutScale = 2 * InScale(0);
                break;

            case TypedKind.Pow:
                if (node.Exponent == Math.Floor(node.Exponent))
                {
                    entry.Op = new LinearOp(CircuitOp.Poly("Pow", (uint)node.Exponent));
                    entry.OutScale = InScale(0) * (int)node.Exponent;
                }
                else
                {
                    entry.Op = new NonlinearOp(CircuitOp.Lookup("Pow", (float)Quantization.Multiplier(InScale(0)), (float)node.Exponent));
                    entry.OutScale = InScale(0);
                }

                break;

            case TypedKind.TopK:
                entry.Op = new HybridOp(CircuitOp.Hybrid("TopK", (ulong)node.Axis, (ulong)node.Start, node.Variant == "largest"));
                entry.OutScale = InScale(0);
                break;

            case TypedKind.ArgMax:
                entry.Op = new HybridOp(CircuitOp.Hybrid(node.Variant!, (ulong)node.Axis));
                entry.OutScale = 0;
                break;

            case TypedKind.MaxPool:
                {
                    var w = node.Window!;
                    entry.Op = new HybridOp(CircuitOp.Hybrid(
                        "MaxPool",
                        w.Padding.Select(p => ((ulong)p.Begin, (ulong)p.End)).ToArray(),
                        w.Strides.Select(s => (ulong)s).ToArray(),
                        w.Kernel.Select(k => (ulong)k).ToArray(),
                        0)); // NCHW
                    entry.OutScale = InScale(0);
                    break;
                }

            case TypedKind.Gather when node.Indices is null:
                {
                    // ezkl: an index tensor that is a model input becomes a TDim input without range check.
                    var index = entries[entry.Inputs[1]];
                    if (index.Op is InputOp)
                    {
                        index.Op = new InputOp(0, InputType.TDim, false);
                        index.OutScale = 0;
                    }

                    entry.Op = new HybridOp(CircuitOp.Hybrid("Gather", (ulong)node.Axis, null));
                    entry.OutScale = InScale(0);
                    break;
                }

            case TypedKind.Gather:
                {
                    var indices = node.Indices!;
                    var tensor = new UsizeTensor(indices.AsLongs().Select(i => (ulong)i).ToArray(), indices.Shape.Select(d => (ulong)d).ToArray(), null, null);
                    entry.Op = new HybridOp(CircuitOp.Hybrid("Gather", (ulong)node.Axis, tensor));
                    entry.OutScale = InScale(0);
                    break;
                }

            case TypedKind.Max:
                {
                    // Relu: Max(x, 0) becomes LeakyReLU{slope 0}; the zero constant loses its use and is dropped.
                    var zero = entries[entry.Inputs[1]];
                    if (zero.Raw is null || zero.Raw.Data.Any(v => v != 0))
                    {
                        throw new EzklCompilationException($"internal: Max of node {node.Origin} is not a Relu");
                    }

                    zero.NumUses--;
                    entry.Inputs.RemoveAt(1);
                    entry.Op = new LinearOp(CircuitOp.Poly("LeakyReLU", 0f, 1));
                    entry.OutScale = InScale(0);
                    break;
                }

            case TypedKind.LeakyRelu:
                entry.Op = new LinearOp(CircuitOp.Poly("LeakyReLU", node.Alpha, runArgs.ParamScale));
                entry.OutScale = InScale(0) + (node.Alpha == 0 ? 0 : runArgs.ParamScale);
                break;

            case TypedKind.Sigmoid:
            case TypedKind.Tanh:
                entry.Op = new NonlinearOp(CircuitOp.Lookup(node.Kind == TypedKind.Sigmoid ? "Sigmoid" : "Tanh", (float)Quantization.Multiplier(InScale(0))));
                entry.OutScale = InScale(0);
                break;

            case TypedKind.Reshape:
                entry.Op = new LinearOp(CircuitOp.Poly("Reshape", entry.OutDims));
                entry.OutScale = InScale(0);
                break;

            case TypedKind.MoveAxis:
                entry.Op = new LinearOp(CircuitOp.Poly("MoveAxis", (ulong)node.From, (ulong)node.To));
                entry.OutScale = InScale(0);
                break;

            case TypedKind.Conv:
                {
                    var w = node.Window!;
                    var outScale = InScale(0) + InScale(1);
                    if (entry.Inputs.Count > 2)
                    {
                        // The bias is requantized at the product scale (ezkl's Conv handling).
                        var bias = entries[entry.Inputs[2]];
                        bias.Op = MakeConstant(bias.Raw!, outScale, runArgs);
                        bias.OutScale = outScale;
                    }

                    entry.Op = new LinearOp(CircuitOp.Poly(
                        "Conv",
                        w.Padding.Select(p => ((ulong)p.Begin, (ulong)p.End)).ToArray(),
                        w.Strides.Select(s => (ulong)s).ToArray(),
                        (ulong)w.Group,
                        0, // NCHW
                        1)); // OIHW
                    entry.OutScale = outScale;
                    break;
                }

            case TypedKind.SumPool:
                {
                    var w = node.Window!;
                    entry.Op = new HybridOp(CircuitOp.Hybrid(
                        "SumPool",
                        w.Padding.Select(p => ((ulong)p.Begin, (ulong)p.End)).ToArray(),
                        w.Strides.Select(s => (ulong)s).ToArray(),
                        w.Kernel.Select(k => (ulong)k).ToArray(),
                        true,
                        0)); // NCHW
                    entry.OutScale = InScale(0);
                    break;
                }

            default:
                throw new EzklCompilationException($"internal: no circuit op for {node.Kind}");
        }
    }

    /// <summary>The slot of a scalar constant c &lt; 1 with 1/c a power of two, and log2(1/c).</summary>
    private static (int Slot, int Shift)? PowerOfTwoReciprocal(Entry entry, Entry[] entries)
    {
        for (var slot = 0; slot < entry.Inputs.Count; slot++)
        {
            var source = entries[entry.Inputs[slot]];
            if (source.Op is ConstantOp && source.Raw is { Data.Length: 1 } raw && raw.Data[0] < 1 && raw.Data[0] > 0)
            {
                var log = Math.Log2(1 / (double)(float)raw.Data[0]);
                return log == Math.Floor(log) ? (slot, (int)log) : null;
            }
        }

        return null;
    }

    /// <summary>Add/Sub (and the other ops ezkl lists in <c>requires_homogenous_input_scales</c>) need equal scales
    /// on <paramref name="slots"/> (all inputs when null): requantize a single-use constant, else wrap in Rescaled.
    /// The output takes the common scale.</summary>
    private static void Homogenize(Entry entry, Entry[] entries, RunArgs runArgs, SupportedOp op, IReadOnlyList<int>? slots = null)
    {
        var chosen = slots ?? Enumerable.Range(0, entry.Inputs.Count).ToArray();
        var scales = entry.Inputs.Select(i => entries[i].OutScale).ToArray();
        var max = chosen.Max(k => scales[k]);
        foreach (var k in chosen)
        {
            var source = entries[entry.Inputs[k]];
            if (source.Op is ConstantOp && source.NumUses == 1 && source.OutScale < max && source.Raw is not null)
            {
                source.Op = MakeConstant(source.Raw, max, runArgs);
                source.OutScale = max;
                scales[k] = max;
            }
        }

        if (chosen.Select(k => scales[k]).Distinct().Count() > 1)
        {
            op = new RescaledOp(op, scales.Select((s, k) => ((ulong)k, chosen.Contains(k) ? (UInt128)BigInteger.Pow(2, max - s) : (UInt128)1)).ToList());
        }

        entry.Op = op;
        entry.OutScale = max;
    }

    private static ConstantOp MakeConstant(DenseTensor value, int scale, RunArgs runArgs)
    {
        var quantized = value.Data.Select(v => Quantization.Quantize(v, scale)).ToArray();
        var dims = value.Shape.Length == 0 ? new ulong[] { 1 } : value.Shape.Select(d => (ulong)d).ToArray();
        return new ConstantOp(
            new FieldTensor(quantized, dims, scale, runArgs.ParamVisibility),
            new FloatTensor(value.Data.Select(v => (float)v).ToArray(), dims, null, null),
            runArgs.IgnoreRangeCheckInputsOutputs);
    }
}
