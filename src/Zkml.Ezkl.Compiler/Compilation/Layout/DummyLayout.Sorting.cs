using System.Numerics;
using Zkml.Ezkl.Compilation.Shapes;

namespace Zkml.Ezkl.Compilation.Layout;

/// <summary>The layouts built on ezkl's sort argument (layouts.rs <c>_sort_ascending</c> with <c>shuffles</c>,
/// <c>max</c>/<c>min</c>, <c>max_axes</c>/<c>min_axes</c>, <c>max_pool</c>).</summary>
internal sealed partial class DummyLayout
{
    /// <summary>max_axes / min_axes: one sort per output element over the reduced axes.</summary>
    private Cells ExtremumAxes(Cells x, int[] axes, bool max)
    {
        if (axes.Length == 0)
        {
            return x;
        }

        return ReduceGroups(x, axes.Contains, group => SortedExtreme(group, max));
    }

    /// <summary>argmax_axes / argmin_axes: one argmax per slice along <paramref name="dim"/>.</summary>
    private Cells ArgExtremeAxis(Cells x, int dim, bool max)
    {
        var indices = ReduceGroups(x, d => d == dim, group => ArgExtreme(group, max));
        return Mark(new Cells(indices.Items, indices.Dims));
    }

    /// <summary>max_pool: the image padded with zeros, then the max of every window.</summary>
    private Cells MaxPool(Cells x, (ulong Begin, ulong End)[] padding, ulong[] stride, ulong[] pool)
    {
        var (batch, channels, height, width) = (x.Dims[0], x.Dims[1], x.Dims[2], x.Dims[3]);
        (long, long)[] pads = [(0, 0), (0, 0), ((long)padding[0].Begin, (long)padding[0].End), ((long)padding[1].Begin, (long)padding[1].End)];
        var (padded, paddedShape) = IndexOps.Pad(x.Items, x.Dims, pads, (BigInteger?)BigInteger.Zero);
        var (ph, pw) = (paddedShape[2], paddedShape[3]);
        var slidesH = ((ph - (long)pool[0]) / (long)stride[0]) + 1;
        var slidesW = ((pw - (long)pool[1]) / (long)stride[1]) + 1;
        var assigned = x.Assigned && pads.All(p => p.Item1 == 0 && p.Item2 == 0);
        var results = new List<BigInteger?>();
        var allAssigned = true;
        for (long b = 0; b < batch; b++)
        {
            for (long c = 0; c < channels; c++)
            {
                for (long i = 0; i < slidesH; i++)
                {
                    for (long j = 0; j < slidesW; j++)
                    {
                        var window = new List<BigInteger?>();
                        for (long di = 0; di < (long)pool[0]; di++)
                        {
                            for (long dj = 0; dj < (long)pool[1]; dj++)
                            {
                                var row = (i * (long)stride[0]) + di;
                                var col = (j * (long)stride[1]) + dj;
                                window.Add(padded[(((b * channels) + c) * ph * pw) + (row * pw) + col]);
                            }
                        }

                        var extreme = SortedExtreme(new Cells([.. window], [window.Count]) { Assigned = assigned }, max: true);
                        results.Add(extreme.Items[0]);
                        allAssigned &= extreme.Assigned;
                    }
                }
            }
        }

        return new Cells([.. results], [batch, channels, slidesH, slidesW]) { Assigned = allAssigned };
    }

    /// <summary>max / min: the last or first element of <c>_sort_ascending</c> (unsorted collisions).</summary>
    private Cells SortedExtreme(Cells x, bool max)
    {
        var (sorted, _) = SortAscending(x, SortCollisions.Unsorted);
        return new Cells([max ? sorted.Items[^1] : sorted.Items[0]], [1]) { Assigned = sorted.Assigned };
    }

    private enum SortCollisions
    {
        Unsorted,
        SmallestIndexFirst,
        LargestIndexFirst,
    }

    /// <summary><c>_sort_ascending</c>: the claimed sorted cells, a shuffle against the input, then each neighbour pair
    /// checked ascending (ties ordered by original index unless unsorted). Returns the sorted cells and the indices.</summary>
    private (Cells Sorted, Cells Indices) SortAscending(Cells x, SortCollisions collisions)
    {
        if (x.Length == 1)
        {
            return (x, Cells.Constant(BigInteger.Zero, 1));
        }

        var sorted = Cells.Unknown(x.Length);
        _region.Assign(sorted);
        _region.Increment(sorted.Length);
        sorted = Mark(sorted);
        var indices = Shuffle(sorted, x);
        var n = x.Length - 1;
        var windowA = new Cells(sorted.Items[..^1], [n]) { Assigned = sorted.Assigned };
        var windowB = new Cells(sorted.Items[1..], [n]) { Assigned = sorted.Assigned };
        var unit = Cells.Constant(BigInteger.One, n);
        if (collisions == SortCollisions.Unsorted)
        {
            EnforceEquality(unit, GreaterEqual(windowB, windowA));
        }
        else
        {
            var indicesA = new Cells(indices.Items[..^1], [n]);
            var indicesB = new Cells(indices.Items[1..], [n]);
            var isGreater = Greater(windowB, windowA);
            var isEqual = EqualsZero(Pairwise(windowB, windowA));
            var indexOrder = collisions == SortCollisions.SmallestIndexFirst ? Greater(indicesB, indicesA) : Greater(indicesA, indicesB);
            var tieBroken = And(isEqual, indexOrder);
            EnforceEquality(unit, Or(isGreater, tieBroken));
        }

        return (sorted, indices);
    }

    /// <summary>argmax / argmin: the claimed index, the value it selects (a dynamic lookup), a sort with index-ordered
    /// ties, and both tied to the sorted end.</summary>
    private Cells ArgExtreme(Cells x, bool max)
    {
        var claimed = Cells.Unknown(1);
        _region.Assign(claimed);
        _region.Increment(1);
        claimed = Mark(claimed);
        var value = Select(x, claimed);
        var (sorted, indices) = SortAscending(x, max ? SortCollisions.LargestIndexFirst : SortCollisions.SmallestIndexFirst);
        EnforceEquality(value, new Cells([max ? sorted.Items[^1] : sorted.Items[0]], [1]));
        EnforceEquality(claimed, new Cells([max ? indices.Items[^1] : indices.Items[0]], [1]));
        return claimed;
    }

    /// <summary>layouts.rs <c>select</c> through <c>dynamic_lookup</c>: the table (positions 0..n-1 and the values) in
    /// the dynamic columns, the looked-up (index, value) pairs in the advice columns.</summary>
    private Cells Select(Cells x, Cells index)
    {
        var positions = new Cells(Enumerable.Range(0, x.Length).Select(i => (BigInteger?)i).ToArray(), [x.Length]);
        var flush = _region.AssignDynamic(positions);
        _region.AssignDynamic(x);
        _region.AssignDynamic(Cells.Constant(new BigInteger(_region.DynamicLookupIndex), x.Length));
        var output = Cells.Unknown(index.Length);
        _region.Assign(index);
        _region.Assign(output);
        _region.Assign(Cells.Constant(new BigInteger(_region.DynamicLookupIndex), index.Length));
        _region.CompleteDynamicLookup(x.Length, flush, index.Length);
        return Mark(output);
    }

    /// <summary>layouts.rs <c>shuffles</c>: the sorted cells, a constant shuffle index and the claimed positions in
    /// the shuffle columns; the input, the index and the constant positions 0..n-1 in the advice columns.</summary>
    private Cells Shuffle(Cells output, Cells input)
    {
        var flush = _region.AssignDynamic(output);
        _region.Assign(input);
        var index = Cells.Constant(new BigInteger(_region.ShuffleIndex), output.Length);
        _region.AssignDynamic(index);
        _region.Assign(index);
        var claimed = Cells.Unknown(output.Length);
        _region.AssignDynamic(claimed);
        _region.Assign(new Cells(Enumerable.Range(0, output.Length).Select(i => (BigInteger?)i).ToArray(), [output.Length]));
        _region.CompleteShuffle(output.Length, flush);
        return Mark(claimed);
    }

    /// <summary>layouts.rs <c>gather</c> with computed indices: each output element's flat position (the index times
    /// the axis stride plus a constant offset, two products per element, <c>linearize_element_index</c>), then one
    /// <c>select</c> of all of them from the flattened input.</summary>
    private Cells GatherDynamic(Cells input, Cells index, int dim)
    {
        var dims = input.Dims;
        var count = index.Length;
        var multipliers = dims.Select((_, i) => dims.Skip(i + 1).Aggregate(1L, (p, d) => p * d)).ToArray();
        var iteration = dims.ToArray();
        iteration[dim] = count;
        var total = iteration.Aggregate(1L, (p, d) => p * d);
        var strides = Onnx.ShapeMath.Strides(iteration);
        var stride = Cells.Constant(new BigInteger(multipliers[dim]), 1);
        for (long o = 0; o < total; o++)
        {
            long rest = o, offset = 0, position = 0;
            for (var d = 0; d < iteration.Length; d++)
            {
                var coord = rest / strides[d];
                rest %= strides[d];
                if (d == dim)
                {
                    position = coord;
                }
                else
                {
                    offset += coord * multipliers[d];
                }
            }

            var scaled = Pairwise(new Cells([index.Items[position]], [1]), stride);
            Pairwise(scaled, Cells.Constant(new BigInteger(offset), 1));
        }

        var flat = new Cells(input.Items, [input.Length]);
        var output = Select(flat, Mark(Cells.Unknown(total)));
        return output.Reshaped(iteration);
    }
}
