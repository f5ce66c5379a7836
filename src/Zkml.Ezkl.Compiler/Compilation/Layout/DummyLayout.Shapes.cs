using System.Numerics;
using Zkml.Ezkl.Compilation.Circuit;
using Zkml.Ezkl.Compilation.Shapes;

namespace Zkml.Ezkl.Compilation.Layout;

/// <summary>The layouts of ezkl's shape ops and sums (layouts.rs <c>concat</c>, <c>slice</c>, <c>expand</c>,
/// <c>sum_axes</c>/<c>sum</c>, <c>identity</c>; <c>ValTensor::pad</c>; Hybrid Gather with constant indices).</summary>
internal sealed partial class DummyLayout
{
    /// <summary>Concat only rearranges cells; the result counts as assigned only if every part was.</summary>
    private static Cells Concat(Cells[] inputs, int axis)
    {
        var (items, shape) = IndexOps.Concat(inputs.Select(x => (x.Items, x.Dims)).ToList(), axis);
        return new Cells(items, shape) { Assigned = inputs.All(x => x.Assigned) };
    }

    /// <summary>Slice assigns its whole input first unless it was already assigned.</summary>
    private Cells Slice(Cells x, int axis, long start, long end)
    {
        if (!x.Assigned)
        {
            _region.Assign(x);
            _region.Increment(x.Length);
            x = Mark(x);
        }

        var (items, shape) = IndexOps.Slice(x.Items, x.Dims, axis, start, end);
        return new Cells(items, shape) { Assigned = x.Assigned };
    }

    /// <summary>expand: assigns the input, broadcasts, then advances by the broadcast length.</summary>
    private Cells Broadcast(Cells x, long[] shape)
    {
        _region.Assign(x);
        var items = IndexOps.Broadcast(x.Items, x.Dims, shape);
        _region.Increment(items.Length);
        return Mark(new Cells(items, shape));
    }

    /// <summary>ValTensor::pad: constant zeros around the cells, nothing assigned.</summary>
    private static Cells PadWithZeros(Cells x, (ulong Begin, ulong End)[] pads)
    {
        var (items, shape) = IndexOps.Pad(x.Items, x.Dims, pads.Select(p => ((long)p.Begin, (long)p.End)).ToArray(), (BigInteger?)BigInteger.Zero);
        return new Cells(items, shape);
    }

    /// <summary>Gather with constant indices is a selection of cells.</summary>
    private static Cells GatherConstant(Cells x, int axis, UsizeTensor indices)
    {
        var (items, shape) = IndexOps.Gather(x.Items, x.Dims, axis, indices.Inner.Select(i => (long)i).ToArray(), indices.Dims.Select(d => (long)d).ToArray());
        return new Cells(items, shape) { Assigned = x.Assigned };
    }

    /// <summary>sum_axes: one <c>sum</c> per output element over the reduced axes.</summary>
    private Cells SumAxes(Cells x, int[] axes)
    {
        if (axes.Length == 0)
        {
            return x;
        }

        return ReduceGroups(x, axes.Contains, Sum);
    }

    /// <summary>
    /// Applies <paramref name="reduce"/> to each group of elements that share their coordinates on the axes that are
    /// kept, as ezkl's <c>*_axes</c> layouts do: the output keeps the input's rank with the reduced axes of size 1.
    /// </summary>
    private static Cells ReduceGroups(Cells x, Func<int, bool> isReduced, Func<Cells, Cells> reduce)
    {
        var outShape = x.Dims.Select((d, i) => isReduced(i) ? 1 : d).ToArray();
        var outSize = outShape.Aggregate(1L, (p, d) => p * d);
        var inStrides = Onnx.ShapeMath.Strides(x.Dims);
        var outStrides = Onnx.ShapeMath.Strides(outShape);
        var groups = new List<BigInteger?>[outSize];
        for (var g = 0; g < outSize; g++)
        {
            groups[g] = [];
        }

        for (long i = 0; i < x.Length; i++)
        {
            long rest = i, target = 0;
            for (var d = 0; d < x.Dims.Length; d++)
            {
                var coord = rest / inStrides[d];
                rest %= inStrides[d];
                target += (isReduced(d) ? 0 : coord) * outStrides[d];
            }

            groups[target].Add(x.Items[i]);
        }

        var results = new BigInteger?[outSize];
        var allAssigned = true;
        for (var g = 0; g < outSize; g++)
        {
            var reduced = reduce(new Cells([.. groups[g]], [groups[g].Count]) { Assigned = x.Assigned });
            results[g] = reduced.Items[0];
            allAssigned &= reduced.Assigned;
        }

        return new Cells(results, outShape) { Assigned = allAssigned };
    }

    /// <summary>layouts.rs <c>sum</c>: zeros dropped, padded to the block width, the input assigned with duplication,
    /// the running sums (one per row) in the output column; the last one is the result.</summary>
    private Cells Sum(Cells x)
    {
        if (x.Length == 1)
        {
            return x;
        }

        _region.Flush();
        var kept = x.Items.Where(i => i is not { } c || !c.IsZero).ToArray();
        if (kept.Length == 0)
        {
            return Cells.Constant(BigInteger.Zero, 1);
        }

        var padding = (int)((_region.InnerCols - (kept.Length % _region.InnerCols)) % _region.InnerCols);
        var padded = Pad(new Cells(kept, [kept.Length]), padding);
        var assigned = _region.DuplicatedLength(padded, singleInnerColumn: false);
        _region.DuplicatedLength(Cells.Unknown(padded.Length / _region.InnerCols), singleInnerColumn: true);
        _region.Increment(assigned);
        return Mark(Cells.Unknown(1));
    }
}
