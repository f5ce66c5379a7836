using Zkml.Ezkl.Onnx;

namespace Zkml.Ezkl.Compilation.Shapes;

/// <summary>Row-major index arithmetic shared by constant folding (on values) and the dummy layout (on cells):
/// concatenation, slicing, gathering, padding and broadcasting of flat arrays with a shape.</summary>
internal static class IndexOps
{
    public static (T[] Items, long[] Shape) Concat<T>(IReadOnlyList<(T[] Items, long[] Shape)> parts, int axis)
    {
        var first = parts[0].Shape;
        var shape = first.ToArray();
        shape[axis] = parts.Sum(p => p.Shape[axis]);
        var outer = ShapeMath.Size(first[..axis]);
        var result = new List<T>(checked((int)ShapeMath.Size(shape)));
        for (long o = 0; o < outer; o++)
        {
            foreach (var (items, partShape) in parts)
            {
                var block = ShapeMath.Size(partShape[axis..]);
                result.AddRange(items.Skip((int)(o * block)).Take((int)block));
            }
        }

        return (result.ToArray(), shape);
    }

    public static (T[] Items, long[] Shape) Slice<T>(T[] items, long[] shape, int axis, long start, long end)
    {
        var outShape = shape.ToArray();
        outShape[axis] = end - start;
        var outer = ShapeMath.Size(shape[..axis]);
        var inner = ShapeMath.Size(shape[(axis + 1)..]);
        var result = new T[ShapeMath.Size(outShape)];
        var k = 0;
        for (long o = 0; o < outer; o++)
        {
            for (var i = start; i < end; i++)
            {
                Array.Copy(items, ((o * shape[axis]) + i) * inner, result, k, inner);
                k += (int)inner;
            }
        }

        return (result, outShape);
    }

    /// <summary>ONNX Gather: output shape = shape[..axis] + indices shape + shape[axis+1..].</summary>
    public static (T[] Items, long[] Shape) Gather<T>(T[] items, long[] shape, int axis, long[] indices, long[] indexShape)
    {
        long[] outShape = [.. shape[..axis], .. indexShape, .. shape[(axis + 1)..]];
        var outer = ShapeMath.Size(shape[..axis]);
        var inner = ShapeMath.Size(shape[(axis + 1)..]);
        var result = new T[ShapeMath.Size(outShape)];
        var k = 0;
        for (long o = 0; o < outer; o++)
        {
            foreach (var index in indices)
            {
                Array.Copy(items, ((o * shape[axis]) + index) * inner, result, k, inner);
                k += (int)inner;
            }
        }

        return (result, outShape);
    }

    public static (T[] Items, long[] Shape) Pad<T>(T[] items, long[] shape, (long Begin, long End)[] pads, T fill)
    {
        var outShape = shape.Select((d, i) => d + pads[i].Begin + pads[i].End).ToArray();
        var result = Enumerable.Repeat(fill, checked((int)ShapeMath.Size(outShape))).ToArray();
        var inStrides = ShapeMath.Strides(shape);
        var outStrides = ShapeMath.Strides(outShape);
        for (long i = 0; i < items.Length; i++)
        {
            long rest = i, target = 0;
            for (var d = 0; d < shape.Length; d++)
            {
                var coord = rest / inStrides[d];
                rest %= inStrides[d];
                target += (coord + pads[d].Begin) * outStrides[d];
            }

            result[target] = items[i];
        }

        return (result, outShape);
    }

    /// <summary>numpy-style broadcast of <paramref name="shape"/> to <paramref name="target"/> (right-aligned).</summary>
    public static T[] Broadcast<T>(T[] items, long[] shape, long[] target)
    {
        var size = ShapeMath.Size(target);
        var result = new T[size];
        var outStrides = ShapeMath.Strides(target);
        var inStrides = ShapeMath.Strides(shape);
        for (long i = 0; i < size; i++)
        {
            long rest = i, source = 0;
            for (var d = 0; d < target.Length; d++)
            {
                var coord = rest / outStrides[d];
                rest %= outStrides[d];
                var k = d - (target.Length - shape.Length);
                if (k >= 0 && shape[k] != 1)
                {
                    source += coord * inStrides[k];
                }
            }

            result[i] = items[source];
        }

        return result;
    }

    /// <summary>Sums over <paramref name="axes"/>, keeping them as size 1.</summary>
    public static (double[] Items, long[] Shape) Sum(double[] items, long[] shape, long[] axes)
    {
        var outShape = shape.Select((d, i) => axes.Contains(i) ? 1 : d).ToArray();
        var result = new double[ShapeMath.Size(outShape)];
        var inStrides = ShapeMath.Strides(shape);
        var outStrides = ShapeMath.Strides(outShape);
        for (long i = 0; i < items.Length; i++)
        {
            long rest = i, target = 0;
            for (var d = 0; d < shape.Length; d++)
            {
                var coord = rest / inStrides[d];
                rest %= inStrides[d];
                target += (axes.Contains(d) ? 0 : coord) * outStrides[d];
            }

            result[target] = (float)(result[target] + items[i]);
        }

        return (result, outShape);
    }
}
