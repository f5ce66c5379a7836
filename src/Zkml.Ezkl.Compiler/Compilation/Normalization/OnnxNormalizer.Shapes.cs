using Zkml.Ezkl.Compilation.Shapes;
using Zkml.Ezkl.Onnx;

namespace Zkml.Ezkl.Compilation.Normalization;

/// <summary>Shape ops (Concat, Slice, Split, Expand, Pad, Cast, Gather with constant indices) and the shape
/// arithmetic tract folds away when its inputs are constant (Shape, ConstantOfShape, Range, Gather).</summary>
internal sealed partial class OnnxNormalizer
{
    private IReadOnlyList<TypedNode>? LowerShapeOp(OnnxNode node) => node.OpType switch
    {
        "Concat" => [Concat(node)],
        "Slice" => [SliceOp(node)],
        "Split" => Split(node),
        "Expand" => [Expand(node)],
        "Pad" => [PadOp(node)],
        "Cast" => [Cast(node)],
        "Shape" => [ShapeOf(node)],
        "ConstantOfShape" => [ConstantOfShape(node)],
        "Range" => [RangeOp(node)],
        "Gather" => [GatherOp(node)],
        _ => null,
    };

    private static int NormalizeAxis(OnnxNode node, long axis, int rank) =>
        axis >= -rank && axis < rank ? (int)(axis < 0 ? axis + rank : axis)
        : throw new OnnxModelException($"{node.Describe} has axis {axis} out of range for rank {rank}");

    private TypedNode Concat(OnnxNode node)
    {
        var inputs = Enumerable.Range(0, node.Inputs.Count).Select(i => Input(node, i)).ToList();
        var rank = inputs[0].Shape.Length;
        var axis = NormalizeAxis(node, node.Int("axis", 0), rank);
        foreach (var x in inputs)
        {
            if (x.Shape.Length != rank || x.Shape.Where((d, i) => i != axis && d != inputs[0].Shape[i]).Any())
            {
                throw new OnnxModelException($"{node.Describe} concatenates [{string.Join(",", x.Shape)}] with [{string.Join(",", inputs[0].Shape)}] along axis {axis}");
            }
        }

        if (inputs.All(x => x.Value is not null))
        {
            var (items, shape) = IndexOps.Concat(inputs.Select(x => (x.Value!.Data, x.Shape)).ToList(), axis);
            return Const(new DenseTensor(shape, items, inputs[0].Value!.Kind), node.Name);
        }

        var outShape = inputs[0].Shape.ToArray();
        outShape[axis] = inputs.Sum(x => x.Shape[axis]);
        return new TypedNode { Kind = TypedKind.Concat, Inputs = inputs, Shape = outShape, Origin = node.Name, Axis = axis, ElementKind = inputs[0].ElementKind };
    }

    private TypedNode SliceOp(OnnxNode node)
    {
        var x = Input(node, 0);
        var rank = x.Shape.Length;
        long[] starts, ends, axes, steps;
        if (node.Ints("starts") is { } attributeStarts)
        {
            starts = attributeStarts;
            ends = node.Ints("ends") ?? throw new OnnxModelException($"{node.Describe} has starts but no ends");
            axes = node.Ints("axes") ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps = Enumerable.Repeat(1L, starts.Length).ToArray();
        }
        else
        {
            starts = ConstInput(node, 1, "starts").AsLongs();
            ends = ConstInput(node, 2, "ends").AsLongs();
            axes = OptionalInput(node, 3) is { } a ? (a.Value ?? throw Unsupported(node, "axes (input 3) must be constant")).AsLongs() : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
            steps = OptionalInput(node, 4) is { } s ? (s.Value ?? throw Unsupported(node, "steps (input 4) must be constant")).AsLongs() : Enumerable.Repeat(1L, starts.Length).ToArray();
        }

        if (steps.Any(s => s != 1))
        {
            throw Unsupported(node, "steps other than 1 become tract's Downsample, which Zkml does not lay out yet");
        }

        var result = x;
        for (var i = 0; i < starts.Length; i++)
        {
            var axis = NormalizeAxis(node, axes[i], rank);
            var dim = result.Shape[axis];
            var start = Math.Clamp(starts[i] < 0 ? starts[i] + dim : starts[i], 0, dim);
            var end = Math.Clamp(ends[i] < 0 ? ends[i] + dim : ends[i], 0, dim);
            if (end <= start)
            {
                throw Unsupported(node, $"an empty slice (axis {axis}, {starts[i]}..{ends[i]}) is not supported");
            }

            result = Slice(result, axis, start, end, node.Name);
        }

        return result;
    }

    private TypedNode Slice(TypedNode x, int axis, long start, long end, string origin)
    {
        if (start == 0 && end == x.Shape[axis])
        {
            return x;
        }

        if (x.Value is { } v)
        {
            var (items, shape) = IndexOps.Slice(v.Data, v.Shape, axis, start, end);
            return Const(new DenseTensor(shape, items, v.Kind), origin);
        }

        var outShape = x.Shape.ToArray();
        outShape[axis] = end - start;
        return new TypedNode { Kind = TypedKind.Slice, Inputs = [x], Shape = outShape, Origin = origin, Axis = axis, Start = start, End = end, ElementKind = x.ElementKind };
    }

    private IReadOnlyList<TypedNode> Split(OnnxNode node)
    {
        var x = Input(node, 0);
        var axis = NormalizeAxis(node, node.Int("axis", 0), x.Shape.Length);
        var sizes = node.Ints("split")
            ?? (OptionalInput(node, 1) is { } s ? (s.Value ?? throw Unsupported(node, "split sizes (input 1) must be constant")).AsLongs() : null);
        if (sizes is null)
        {
            var parts = node.Outputs.Count;
            var chunk = (x.Shape[axis] + parts - 1) / parts;
            sizes = Enumerable.Range(0, parts).Select(i => Math.Min(chunk, x.Shape[axis] - (i * chunk))).ToArray();
        }

        if (sizes.Sum() != x.Shape[axis] || sizes.Any(z => z <= 0))
        {
            throw new OnnxModelException($"{node.Describe} splits axis {axis} of size {x.Shape[axis]} into [{string.Join(",", sizes)}]");
        }

        var outputs = new List<TypedNode>();
        long offset = 0;
        foreach (var size in sizes)
        {
            outputs.Add(Slice(x, axis, offset, offset + size, node.Name));
            offset += size;
        }

        return outputs;
    }

    private TypedNode Expand(OnnxNode node)
    {
        var x = Input(node, 0);
        var requested = ConstInput(node, 1, "the shape").AsLongs();
        var target = ShapeMath.Broadcast(x.Shape, requested)
            ?? throw new OnnxModelException($"{node.Describe} cannot expand [{string.Join(",", x.Shape)}] to [{string.Join(",", requested)}]");
        if (x.Value is { } v)
        {
            return Const(new DenseTensor(target, IndexOps.Broadcast(v.Data, v.Shape, target), v.Kind), node.Name);
        }

        if (target.SequenceEqual(x.Shape))
        {
            return x;
        }

        var raised = RaiseRank(x, target.Length, node.Name);
        return new TypedNode { Kind = TypedKind.Broadcast, Inputs = [raised], Shape = target, Origin = node.Name, ElementKind = x.ElementKind };
    }

    private TypedNode PadOp(OnnxNode node)
    {
        var x = Input(node, 0);
        var mode = node.String("mode") ?? "constant";
        if (mode != "constant")
        {
            throw Unsupported(node, $"mode {mode}: ezkl pads with zeros only");
        }

        if (OptionalInput(node, 3) is not null)
        {
            throw Unsupported(node, "the axes input (opset 18) is not supported; give pads for every axis");
        }

        var pads = node.Ints("pads") ?? ConstInput(node, 1, "pads").AsLongs();
        var fill = node.Attributes.ContainsKey("value") ? node.Float("value", 0f) : OptionalInput(node, 2) is { } c ? (c.Value ?? throw Unsupported(node, "the constant value must be constant")).Data.Single() : 0.0;
        var rank = x.Shape.Length;
        if (pads.Length != 2 * rank || pads.Any(p => p < 0))
        {
            throw Unsupported(node, $"pads [{string.Join(",", pads)}] must be 2 x rank non-negative values");
        }

        if (fill != 0 && x.Value is null)
        {
            throw Unsupported(node, $"padding with {fill}: ezkl pads with zeros only");
        }

        var pairs = Enumerable.Range(0, rank).Select(i => (pads[i], pads[i + rank])).ToArray();
        if (pairs.All(p => p.Item1 == 0 && p.Item2 == 0))
        {
            return x;
        }

        if (x.Value is { } v)
        {
            var (items, shape) = IndexOps.Pad(v.Data, v.Shape, pairs, fill);
            return Const(new DenseTensor(shape, items, v.Kind), node.Name);
        }

        var outShape = x.Shape.Select((d, i) => d + pairs[i].Item1 + pairs[i].Item2).ToArray();
        return new TypedNode { Kind = TypedKind.Pad, Inputs = [x], Shape = outShape, Origin = node.Name, Pads = pairs, ElementKind = x.ElementKind };
    }

    private TypedNode Cast(OnnxNode node)
    {
        var x = Input(node, 0);
        var to = node.Int("to", 0);
        var target = to switch
        {
            1 or 10 or 11 or 16 => ElementKind.Float,
            2 or 3 or 4 or 5 or 6 or 7 or 12 or 13 => ElementKind.Integer,
            9 => ElementKind.Bool,
            _ => throw Unsupported(node, $"casting to ONNX element type {to} is not supported"),
        };
        if (x.Value is { } v)
        {
            var data = target switch
            {
                ElementKind.Float => v.Data.Select(d => (double)(float)d).ToArray(),
                ElementKind.Integer => v.Data.Select(Math.Truncate).ToArray(),
                _ => v.Data.Select(d => d != 0 ? 1.0 : 0.0).ToArray(),
            };
            return Const(new DenseTensor(v.Shape, data, target), node.Name);
        }

        if (target == x.ElementKind)
        {
            return x; // tract drops a cast to the type the value already has
        }

        if (target == ElementKind.Float)
        {
            // ezkl: Cast to a float type is Identity{out_scale: None}; the integer stays at scale 0.
            return new TypedNode { Kind = TypedKind.Identity, Inputs = [x], Shape = x.Shape, Origin = node.Name, ElementKind = ElementKind.Float };
        }

        throw Unsupported(node, x.ElementKind == ElementKind.Float
            ? "a float-to-integer cast is ezkl's Hybrid Floor, which Zkml does not lay out yet"
            : "an integer-to-bool cast is not supported");
    }

    private TypedNode ShapeOf(OnnxNode node)
    {
        var x = Input(node, 0);
        var rank = x.Shape.Length;
        var start = node.Int("start", 0);
        var end = node.Int("end", rank);
        start = Math.Clamp(start < 0 ? start + rank : start, 0, rank);
        end = Math.Clamp(end < 0 ? end + rank : end, 0, rank);
        var dims = x.Shape[(int)start..(int)Math.Max(start, end)];
        return Const(new DenseTensor([dims.Length], dims.Select(d => (double)d).ToArray(), ElementKind.Integer), node.Name);
    }

    private TypedNode ConstantOfShape(OnnxNode node)
    {
        var shape = ConstInput(node, 0, "the shape").AsLongs();
        var value = node.Tensor("value") ?? new DenseTensor([1], [0.0], ElementKind.Float);
        return Const(new DenseTensor(shape, Enumerable.Repeat(value.Data[0], checked((int)ShapeMath.Size(shape))).ToArray(), value.Kind), node.Name);
    }

    private TypedNode RangeOp(OnnxNode node)
    {
        var start = ConstInput(node, 0, "start");
        var limit = ConstInput(node, 1, "limit").Data[0];
        var delta = ConstInput(node, 2, "delta").Data[0];
        if (delta == 0)
        {
            throw new OnnxModelException($"{node.Describe} has delta 0");
        }

        var count = Math.Max(0, (long)Math.Ceiling((limit - start.Data[0]) / delta));
        var data = Enumerable.Range(0, (int)count).Select(i => start.Data[0] + (i * delta)).ToArray();
        return Const(new DenseTensor([count], data, start.Kind), node.Name);
    }

    private TypedNode GatherOp(OnnxNode node)
    {
        var data = Input(node, 0);
        var indices = Input(node, 1);
        var axis = NormalizeAxis(node, node.Int("axis", 0), data.Shape.Length);
        if (indices.Value is not { } idx)
        {
            if (indices.Shape.Length != 1)
            {
                throw Unsupported(node, "ezkl flattens computed indices, so only rank-1 computed indices keep ONNX's output shape; reshape the indices to rank 1");
            }

            long[] gatheredShape = [.. data.Shape[..axis], indices.Shape[0], .. data.Shape[(axis + 1)..]];
            return new TypedNode { Kind = TypedKind.Gather, Inputs = [data, indices], Shape = gatheredShape, Origin = node.Name, Axis = axis, ElementKind = data.ElementKind };
        }

        var dim = data.Shape[axis];
        var normalized = idx.AsLongs().Select(i => i < 0 ? i + dim : i).ToArray();
        if (normalized.Any(i => i < 0 || i >= dim))
        {
            throw new OnnxModelException($"{node.Describe} has an index out of range for axis {axis} of size {dim}");
        }

        if (data.Value is { } v)
        {
            var (items, shape) = IndexOps.Gather(v.Data, v.Shape, axis, normalized, idx.Shape);
            return Const(new DenseTensor(shape, items, v.Kind), node.Name);
        }

        // A scalar index gathers a size-1 axis that tract then removes (ezkl's Gather keeps index dims).
        var indexShape = idx.Shape.Length == 0 ? new long[] { 1 } : idx.Shape;
        long[] outShape = [.. data.Shape[..axis], .. indexShape, .. data.Shape[(axis + 1)..]];
        var gathered = new TypedNode
        {
            Kind = TypedKind.Gather,
            Inputs = [data],
            Shape = outShape,
            Origin = node.Name,
            Axis = axis,
            Indices = new DenseTensor(indexShape, normalized.Select(i => (double)i).ToArray(), ElementKind.Integer),
            ElementKind = data.ElementKind,
        };
        return idx.Shape.Length == 0 ? Reshape(gathered, [.. data.Shape[..axis], .. data.Shape[(axis + 1)..]], node.Name) : gathered;
    }
}
