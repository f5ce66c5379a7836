using System.Numerics;
using Zkml.Ezkl.Compilation.Circuit;

namespace Zkml.Ezkl.Compilation.Layout;

/// <summary>
/// Replays ezkl 21's <c>Model::dummy_layout</c> for the supported ops: each layout function
/// advances the region the way ezkl's does in dummy mode (values unknown, nothing previously
/// assigned), which yields <c>num_rows</c>, <c>total_assignments</c>, <c>total_const_size</c> and the
/// sets of range checks and lookups that settings.json must carry.
/// </summary>
internal sealed partial class DummyLayout
{
    private readonly DummyRegion _region;
    private readonly RunArgs _runArgs;
    private readonly bool _tight;

    private DummyLayout(RunArgs runArgs, uint logrows, bool tight)
    {
        _runArgs = runArgs;
        _tight = tight;
        _region = new DummyRegion(runArgs, logrows);
    }

    public static DummyRegion Run(GraphModel model, RunArgs runArgs, uint logrows, AccountingMode mode = AccountingMode.Tight) =>
        Run(model, runArgs, logrows, mode, out _);

    /// <summary>Lays the model out and reports what each node cost (the key <see cref="OutputCostKey"/> holds the
    /// public-output checks after the last node).</summary>
    public static DummyRegion Run(GraphModel model, RunArgs runArgs, uint logrows, AccountingMode mode, out IReadOnlyDictionary<ulong, NodeCost> costs)
    {
        var layout = new DummyLayout(runArgs, logrows, mode == AccountingMode.Tight);
        layout.LayoutModel(model);
        costs = layout._costs;
        return layout._region;
    }

    public const ulong OutputCostKey = ulong.MaxValue;

    private readonly Dictionary<ulong, NodeCost> _costs = [];

    private NodeCost Measure(Action layout)
    {
        var (coord, row, shuffles, dynamic, constants) = (_region.LinearCoord, _region.Row, _region.ShuffleIndex, _region.DynamicLookupIndex, _region.Constants.Count);
        _region.NodeTables.Clear();
        layout();
        return new NodeCost(
            _region.LinearCoord - coord,
            _region.Row - row,
            _region.ShuffleIndex - shuffles,
            _region.DynamicLookupIndex - dynamic,
            _region.Constants.Count - constants,
            _region.NodeTables.Order(StringComparer.Ordinal).ToArray());
    }

    private void LayoutModel(GraphModel model)
    {
        var results = new Dictionary<ulong, Cells>();
        foreach (var (key, node) in model.Nodes)
        {
            Cells output = null!;
            _costs[key] = Measure(() => output = LayoutNode(node, results));
            results[key] = output.Reshaped(ToLong(node.OutDims));
        }

        _costs[OutputCostKey] = Measure(() => LayoutOutputs(model, results));
    }

    private Cells LayoutNode(GraphNode node, Dictionary<ulong, Cells> results)
    {
        Cells output;
        switch (node.Op)
        {
            case InputOp input:
                // Hashed inputs were assigned by the Poseidon module before the model is laid out.
                var hashed = _tight && _runArgs.InputVisibility.IsHashed;
                output = Identity(new Cells(Cells.Unknown(ToLong(node.OutDims)).Items, ToLong(node.OutDims)) { Assigned = hashed }, input.Decomp);
                break;
            case ConstantOp constant:
                {
                    var q = constant.QuantizedValues;
                    var isFixed = q.Visibility?.IsFixed == true;
                    var cells = new Cells(q.Inner.Select(v => isFixed ? v : (BigInteger?)null).ToArray(), ToLong(q.Dims));
                    // A constant read once is inlined into its consumer; otherwise it is assigned once.
                    output = node.NumUses == 1 ? cells : Identity(cells, constant.Decomp);
                    break;
                }

            default:
                output = LayoutOp(node.Op, node.Inputs.Select(i => results[i.Node]).ToArray());
                break;
        }

        return output;
    }

    private void LayoutOutputs(GraphModel model, Dictionary<ulong, Cells> results)
    {
        if (_runArgs.OutputVisibility.IsPublic || _runArgs.OutputVisibility.IsFixed)
        {
            foreach (var (nodeIndex, _) in model.Outputs)
            {
                var value = results[nodeIndex];
                Output(value, Cells.Unknown(value.Dims), !_runArgs.IgnoreRangeCheckInputsOutputs);
            }
        }
    }

    private static long[] ToLong(ulong[] dims) => dims.Select(d => (long)d).ToArray();

    private Cells LayoutOp(SupportedOp op, Cells[] inputs)
    {
        switch (op)
        {
            case RebaseScaleOp rebase:
                {
                    var inner = LayoutOp(rebase.Inner, inputs);
                    var denom = (float)rebase.RebaseOp["denom"]!;
                    return Div(inner, new BigInteger(denom));
                }

            case RescaledOp rescaled:
                {
                    var scaled = inputs.Select((x, i) =>
                    {
                        var multiplier = rescaled.Scale.FirstOrDefault(s => (int)s.Input == i).Multiplier;
                        return multiplier > 1 ? Pairwise(x, Cells.Constant((BigInteger)multiplier, 1)) : x;
                    }).ToArray();
                    return LayoutOp(rescaled.Inner, scaled);
                }

            case LinearOp { Op: var poly }:
                return poly.Name switch
                {
                    "Add" or "Sub" or "Mult" => Pairwise(inputs[0], inputs[1]),
                    "Einsum" => Einsum(inputs, (string)poly["equation"]!),
                    "LeakyReLU" => (float)poly["slope"]! == 0f ? Relu(inputs[0]) : LeakyRelu(inputs[0], (float)poly["slope"]!, (int)poly["scale"]!),
                    "Reshape" or "Flatten" => inputs[0].Reshaped(ToLong((ulong[])poly.Values[0]!)),
                    "MoveAxis" => inputs[0],
                    "Concat" => Concat(inputs, (int)(ulong)poly["axis"]!),
                    "Slice" => Slice(inputs[0], (int)(ulong)poly["axis"]!, (long)(ulong)poly["start"]!, (long)(ulong)poly["end"]!),
                    "MultiBroadcastTo" => Broadcast(inputs[0], ToLong((ulong[])poly["shape"]!)),
                    "Pad" => PadWithZeros(inputs[0], ((ulong, ulong)[])poly.Values[0]!),
                    "Identity" => Identity(inputs[0], decomp: false),
                    "Iff" => Iff(inputs[0], inputs[1], inputs[2]),
                    "Not" => Not(inputs[0]),
                    "And" => And(inputs[0], inputs[1]),
                    "Or" => Or(inputs[0], inputs[1]),
                    "Xor" => Xor(inputs[0], inputs[1]),
                    "Abs" => Pairwise(inputs[0], Sign(inputs[0])),
                    "Sign" => Sign(inputs[0]),
                    "Neg" => Pairwise(Cells.Constant(BigInteger.Zero, 1), inputs[0]),
                    "MeanOfSquares" => MeanOfSquares(inputs[0], ((ulong[])poly["axes"]!).Select(a => (int)a).ToArray()),
                    "Pow" => Power(inputs[0], (uint)poly.Values[0]!),
                    "Sum" => SumAxes(inputs[0], ((ulong[])poly["axes"]!).Select(a => (int)a).ToArray()),
                    "Conv" => Conv(inputs, ((ulong, ulong)[])poly["padding"]!, (ulong[])poly["stride"]!, (long)(ulong)poly["group"]!),
                    _ => throw new EzklCompilationException($"internal: no layout model for {poly.Name}"),
                };

            case NonlinearOp { Op: var lookup }:
                return Nonlinearity(inputs[0], lookup);

            case HybridOp { Op: var hybrid } when hybrid.Name is "Max" or "Min" or "Greater" or "GreaterEqual" or "Less" or "LessEqual" or "Equals":
                return Comparison(hybrid.Name, inputs[0], inputs[1]);

            case HybridOp { Op: var hybrid } when hybrid.Name is "ReduceMax" or "ReduceMin":
                return ExtremumAxes(inputs[0], ((ulong[])hybrid["axes"]!).Select(a => (int)a).ToArray(), hybrid.Name == "ReduceMax");

            case HybridOp { Op: var hybrid } when hybrid.Name == "Recip":
                return Recip(inputs[0], new BigInteger((float)hybrid["input_scale"]!), new BigInteger((float)hybrid["output_scale"]!));

            case HybridOp { Op: var hybrid } when hybrid.Name == "Sqrt":
                return Sqrt(inputs[0], new BigInteger((float)hybrid["scale"]!));

            case HybridOp { Op: var hybrid } when hybrid.Name == "Rsqrt":
                return Recip(Sqrt(inputs[0], new BigInteger((float)hybrid["input_scale"]!)), new BigInteger((float)hybrid["input_scale"]!), new BigInteger((float)hybrid["output_scale"]!));

            case HybridOp { Op: var hybrid } when hybrid.Name == "Softmax":
                return Softmax(inputs[0], (float)hybrid["input_scale"]!, (float)hybrid["output_scale"]!, ((ulong[])hybrid["axes"]!).Select(a => (int)a).ToArray());

            case HybridOp { Op: var hybrid } when hybrid.Name == "TopK":
                return TopK(inputs[0], (int)(ulong)hybrid["dim"]!, (int)(ulong)hybrid["k"]!, (bool)hybrid["largest"]!);

            case HybridOp { Op: var hybrid } when hybrid.Name is "ReduceArgMax" or "ReduceArgMin":
                return ArgExtremeAxis(inputs[0], (int)(ulong)hybrid["dim"]!, hybrid.Name == "ReduceArgMax");

            case HybridOp { Op: var hybrid } when hybrid.Name == "MaxPool":
                return MaxPool(inputs[0], ((ulong, ulong)[])hybrid["padding"]!, (ulong[])hybrid["stride"]!, (ulong[])hybrid["pool_dims"]!);

            case HybridOp { Op: var hybrid } when hybrid.Name == "Gather" && hybrid["constant_idx"] is UsizeTensor indices:
                return GatherConstant(inputs[0], (int)(ulong)hybrid["dim"]!, indices);

            case HybridOp { Op: var hybrid } when hybrid.Name == "Gather":
                return GatherDynamic(inputs[0], inputs[1], (int)(ulong)hybrid["dim"]!);

            case HybridOp { Op: var hybrid } when hybrid.Name == "SumPool":
                return SumPool(inputs[0], ((ulong, ulong)[])hybrid["padding"]!, (ulong[])hybrid["stride"]!, (ulong[])hybrid["kernel_shape"]!, (bool)hybrid["normalized"]!);

            default:
                throw new EzklCompilationException($"internal: no layout model for {op}");
        }
    }

    // ---------------------------------------------------------------- primitives (layouts.rs)

    private Cells Pairwise(Cells a, Cells b)
    {
        var shape = BroadcastShape(a.Dims, b.Dims);
        var ea = Expand(a, shape);
        var eb = Expand(b, shape);
        _region.Assign(ea);
        _region.Assign(eb);
        var output = Mark(Cells.Unknown(shape));
        _region.Increment(output.Length);
        return output;
    }

    /// <summary>ezkl's broadcast: equal ranks take the elementwise max, otherwise the longer shape.</summary>
    private static long[] BroadcastShape(long[] a, long[] b)
    {
        if (a.Length == b.Length)
        {
            return a.Zip(b, Math.Max).ToArray();
        }

        return a.Length < b.Length ? b : a;
    }

    private static Cells Expand(Cells x, long[] shape)
    {
        var size = shape.Aggregate(1L, (p, d) => p * d);
        if (x.Length == size)
        {
            return x.Reshaped(shape);
        }

        if (x.Length == 1)
        {
            return new Cells(Enumerable.Repeat(x.Items[0], (int)size).ToArray(), shape);
        }

        // numpy-style, right-aligned broadcasting of the remaining cases
        var items = new BigInteger?[size];
        var outStrides = Onnx.ShapeMath.Strides(shape);
        var inStrides = Onnx.ShapeMath.Strides(x.Dims);
        for (long i = 0; i < size; i++)
        {
            long rest = i, source = 0;
            for (var d = 0; d < shape.Length; d++)
            {
                var coord = rest / outStrides[d];
                rest %= outStrides[d];
                var k = d - (shape.Length - x.Dims.Length);
                if (k >= 0 && x.Dims[k] != 1)
                {
                    source += coord * inStrides[k];
                }
            }

            items[i] = x.Items[source];
        }

        return new Cells(items, shape);
    }

    private Cells EnforceEquality(Cells a, Cells b)
    {
        _region.Assign(a);
        _region.Assign(b);
        _region.Increment(b.Length);
        return b;
    }

    private Cells RangeCheck(Cells x, Int128 min, Int128 max)
    {
        _region.AddRangeCheck(min, max);
        _region.Assign(x);
        _region.Increment(x.Length);
        return x;
    }

    private Cells EqualsZero(Cells x)
    {
        var product = Pairwise(x, Cells.Unknown(x.Dims));
        var output = Pairwise(Cells.Constant(BigInteger.One, 1), product);
        var check = Pairwise(x, output);
        EnforceEquality(check, Cells.Constant(BigInteger.Zero, check.Length));
        return output;
    }

    private void Dot(Cells a, Cells b)
    {
        _region.Flush();
        var padding = (int)((_region.InnerCols - (a.Length % _region.InnerCols)) % _region.InnerCols);
        var pa = Pad(a, padding);
        var pb = Pad(b, padding);
        _region.DuplicatedLength(pa, singleInnerColumn: false);
        var assigned = _region.DuplicatedLength(pb, singleInnerColumn: false);
        _region.DuplicatedLength(Cells.Unknown(pa.Length / _region.InnerCols), singleInnerColumn: true);
        _region.Increment(assigned);
    }

    private static Cells Pad(Cells x, int count) =>
        count == 0 ? x : new Cells([.. x.Items, .. Enumerable.Repeat<BigInteger?>(BigInteger.Zero, count)], [x.Length + count]);

    private Cells Einsum(Cells[] inputs, string equation)
    {
        var arrow = equation.Split("->");
        var terms = arrow[0].Split(',');
        var outputTerm = arrow.Length > 1 ? arrow[1] : string.Empty;
        if (terms.Length != 2)
        {
            throw new EzklCompilationException($"internal: einsum layout model needs two inputs, got '{equation}'");
        }

        var sizes = new Dictionary<char, long>();
        for (var t = 0; t < 2; t++)
        {
            for (var j = 0; j < terms[t].Length; j++)
            {
                sizes.TryAdd(terms[t][j], inputs[t].Dims[j]);
            }
        }

        var outShape = outputTerm.Select(c => sizes.GetValueOrDefault(c, 1)).ToArray();
        var contracted = sizes.Keys.Where(c => !outputTerm.Contains(c)).ToArray();
        if (contracted.Any(c => !(terms[0].Contains(c) && terms[1].Contains(c))))
        {
            throw new EzklCompilationException($"internal: einsum '{equation}' sums an axis of one input only, which the layout model does not cover");
        }

        _region.Flush();
        var outSize = outShape.Aggregate(1L, (p, d) => p * d);
        var outStrides = Onnx.ShapeMath.Strides(outShape);
        for (long o = 0; o < outSize; o++)
        {
            var coord = new Dictionary<char, long>();
            long rest = o;
            for (var d = 0; d < outShape.Length; d++)
            {
                coord[outputTerm[d]] = rest / outStrides[d];
                rest %= outStrides[d];
            }

            var slices = new Cells[2];
            for (var t = 0; t < 2; t++)
            {
                slices[t] = Slice(inputs[t], terms[t], coord);
            }

            Dot(slices[0], slices[1]);
        }

        return Mark(Cells.Unknown(outShape.Length == 0 ? [1] : outShape));
    }

    /// <summary>The elements of <paramref name="x"/> with output letters fixed and the others ranging.</summary>
    private static Cells Slice(Cells x, string term, Dictionary<char, long> fixedCoords)
    {
        var strides = Onnx.ShapeMath.Strides(x.Dims);
        var ranges = term.Select((c, j) => fixedCoords.TryGetValue(c, out var v) ? (v, 1L) : (0L, x.Dims[j])).ToArray();
        var count = ranges.Aggregate(1L, (p, r) => p * r.Item2);
        var items = new BigInteger?[count];
        var index = new long[ranges.Length];
        for (long i = 0; i < count; i++)
        {
            long rest = i, source = 0;
            for (var d = ranges.Length - 1; d >= 0; d--)
            {
                var c = (rest % ranges[d].Item2) + ranges[d].Item1;
                rest /= ranges[d].Item2;
                source += c * strides[d];
            }

            items[i] = x.Items[source];
        }

        return new Cells(items, [count]);
    }

    private Cells Decompose(Cells x)
    {
        var n = x.Length;
        var legs = _region.DecompLegs;
        var baseValue = new BigInteger(_region.DecompBase);
        _region.Assign(x);
        var dims = n != 1 ? x.Dims : [1];
        var bases = new BigInteger?[n * legs];
        for (var i = 0; i < n; i++)
        {
            for (var l = 0; l < legs; l++)
            {
                bases[(i * legs) + l] = BigInteger.Pow(baseValue, legs - 1 - l);
            }
        }

        var claimed = Cells.Unknown([.. dims, legs + 1]);
        _region.Assign(claimed);
        _region.Increment(claimed.Length);
        var sign = RangeCheck(Cells.Unknown([.. dims, 1]), -1, 1);
        var isZero = EqualsZero(x);
        var signTimesZero = Pairwise(sign, isZero);
        EnforceEquality(signTimesZero, Cells.Constant(BigInteger.Zero, signTimesZero.Length));
        var digits = RangeCheck(Cells.Unknown([.. dims, legs]), 0, (Int128)(_region.DecompBase - 1));
        var letters = "abcdefghijklmnopqrstuvwxyz"[..digits.Dims.Length];
        var recomposed = Einsum([digits, new Cells(bases, digits.Dims)], $"{letters},{letters}->{letters[..^1]}");
        var signed = Pairwise(recomposed, sign);
        EnforceEquality(x, signed);
        return claimed;
    }

    private Cells Sign(Cells x)
    {
        Decompose(x);
        return Cells.Unknown(x.Dims);
    }

    private Cells Identity(Cells x, bool decomp)
    {
        if (x.Assigned)
        {
            return x;
        }

        if (decomp)
        {
            Decompose(x);
            return Mark(x);
        }

        _region.Assign(x);
        _region.Increment(x.Length);
        return Mark(x);
    }

    /// <summary>The cells as a later step sees them once assigned (only the tight estimate tracks this).</summary>
    private Cells Mark(Cells x) => _tight && !x.Assigned ? new Cells(x.Items, x.Dims) { Assigned = true } : x;

    private Cells Relu(Cells x)
    {
        var sign = Sign(x);
        var mask = EqualsZero(Pairwise(sign, Cells.Constant(BigInteger.One, sign.Length).Reshaped(sign.Dims)));
        return Pairwise(x, mask);
    }

    private Cells LeakyRelu(Cells x, float slope, int scale)
    {
        var sign = Sign(x);
        var mask = EqualsZero(Pairwise(sign, Cells.Constant(BigInteger.One, sign.Length).Reshaped(sign.Dims)));
        var positive = Pairwise(x, mask);
        var rescaledPositive = Pairwise(positive, Cells.Constant(BigInteger.Pow(2, scale), 1));
        var negativeMask = Not(mask);
        var alpha = Quantization.Quantize(slope, scale);
        var scaledNegativeMask = Pairwise(negativeMask, Cells.Constant(alpha, 1));
        var negative = Pairwise(x, scaledNegativeMask);
        return Pairwise(rescaledPositive, negative);
    }

    private Cells Not(Cells mask)
    {
        // iff(mask, 0, 1): boolean identity of the mask, then 1 - mask, and the two masked branches.
        _region.Assign(mask);
        _region.Increment(mask.Length);
        RangeCheck(mask, 0, 1);
        var oneMinus = Pairwise(Cells.Constant(BigInteger.One, 1), mask);
        var maskedA = Pairwise(Cells.Constant(BigInteger.Zero, 1), mask);
        var maskedB = Pairwise(Cells.Constant(BigInteger.One, 1), oneMinus);
        return Pairwise(maskedA, maskedB);
    }

    private Cells Div(Cells x, BigInteger denominator)
    {
        if (denominator.IsOne)
        {
            return x;
        }

        var claimed = Identity(Cells.Unknown(x.Dims), decomp: true);
        var product = Pairwise(claimed, Cells.Constant(denominator, 1));
        // diff_less_than: |x - product| < denominator
        var difference = Pairwise(x, product);
        var distance = Pairwise(difference, Sign(difference));
        var comparison = Pairwise(Cells.Constant(denominator, 1), distance);
        var comparisonSign = Sign(comparison);
        var isLess = EqualsZero(Pairwise(comparisonSign, Cells.Constant(BigInteger.One, 1)));
        EnforceEquality(isLess, Cells.Constant(BigInteger.One, isLess.Length));
        return claimed;
    }

    private Cells Output(Cells a, Cells b, bool decomp)
    {
        a = Identity(a, decomp);
        b = Identity(b, decomp);
        return EnforceEquality(a, b);
    }

    private Cells Nonlinearity(Cells x, CircuitOp lookup)
    {
        _region.AddLookup(lookup);
        var constants = x.Items.Count(i => i is not null);
        _region.Assign(x);
        _region.Increment(x.Length - constants);
        return Mark(Cells.Unknown(x.Dims));
    }

    private Cells Conv(Cells[] inputs, (ulong Begin, ulong End)[] padding, ulong[] stride, long groups)
    {
        var image = inputs[0];
        var kernel = inputs[1];
        var hasBias = inputs.Length == 3;
        _region.Assign(kernel);
        _region.Assign(image);
        var assigned = Math.Max(kernel.Assigned ? 0 : kernel.Length, image.Assigned ? 0 : image.Length);
        if (assigned > 0)
        {
            _region.Increment(assigned);
        }

        var (batch, inChannels, height, width) = (image.Dims[0], image.Dims[1], image.Dims[2], image.Dims[3]);
        var (outChannels, kh, kw) = (kernel.Dims[0], kernel.Dims[2], kernel.Dims[3]);
        var paddedH = height + (long)padding[0].Begin + (long)padding[0].End;
        var paddedW = width + (long)padding[1].Begin + (long)padding[1].End;
        var padded = PadImage(image, (long)padding[0].Begin, (long)padding[1].Begin, paddedH, paddedW);
        var slidesH = ((paddedH - kh) / (long)stride[0]) + 1;
        var slidesW = ((paddedW - kw) / (long)stride[1]) + 1;
        var inPerGroup = inChannels / groups;
        var outPerGroup = outChannels / groups;
        var kernelLength = inPerGroup * kh * kw;

        _region.Flush();
        for (long b = 0; b < batch; b++)
        {
            for (long g = 0; g < groups; g++)
            {
                for (long o = 0; o < outPerGroup; o++)
                {
                    var kernelIndex = (g * outPerGroup) + o;
                    var localKernel = new Cells(kernel.Items.Skip((int)(kernelIndex * kernelLength)).Take((int)kernelLength).ToArray(), [kernelLength]);
                    for (long y = 0; y < slidesH; y++)
                    {
                        for (long x = 0; x < slidesW; x++)
                        {
                            var local = new BigInteger?[kernelLength];
                            var k = 0;
                            for (var c = g * inPerGroup; c < (g + 1) * inPerGroup; c++)
                            {
                                for (long i = 0; i < kh; i++)
                                {
                                    for (long j = 0; j < kw; j++)
                                    {
                                        var row = (y * (long)stride[0]) + i;
                                        var col = (x * (long)stride[1]) + j;
                                        local[k++] = padded.Items[(((b * inChannels) + c) * paddedH * paddedW) + (row * paddedW) + col];
                                    }
                                }
                            }

                            // einsum "i,i->" (flush + dot), then the bias add, then a flush.
                            _region.Flush();
                            Dot(new Cells(local, [kernelLength]), localKernel);
                            if (hasBias)
                            {
                                var bias = inputs[2].Length > 1 ? inputs[2].Items[kernelIndex] : inputs[2].Items[0];
                                Pairwise(Cells.Unknown(1), new Cells([bias], [1]));
                            }

                            _region.Flush();
                        }
                    }
                }
            }
        }

        return Mark(Cells.Unknown(batch, outChannels, slidesH, slidesW));
    }

    private static Cells PadImage(Cells image, long top, long left, long paddedH, long paddedW)
    {
        var (batch, channels, height, width) = (image.Dims[0], image.Dims[1], image.Dims[2], image.Dims[3]);
        if (paddedH == height && paddedW == width)
        {
            return image;
        }

        var items = Enumerable.Repeat<BigInteger?>(BigInteger.Zero, (int)(batch * channels * paddedH * paddedW)).ToArray();
        for (long bc = 0; bc < batch * channels; bc++)
        {
            for (long i = 0; i < height; i++)
            {
                for (long j = 0; j < width; j++)
                {
                    items[(bc * paddedH * paddedW) + ((i + top) * paddedW) + j + left] = image.Items[(bc * height * width) + (i * width) + j];
                }
            }
        }

        return new Cells(items, [batch, channels, paddedH, paddedW]);
    }

    private Cells SumPool(Cells x, (ulong, ulong)[] padding, ulong[] stride, ulong[] kernelShape, bool normalized)
    {
        var (batch, channels) = (x.Dims[0], x.Dims[1]);
        var kernelLength = (int)kernelShape.Aggregate(1UL, (p, k) => p * k);
        var kernel = new Cells(Enumerable.Repeat<BigInteger?>(BigInteger.One, kernelLength).ToArray(), [1, 1, (long)kernelShape[0], (long)kernelShape[1]]);
        _region.Assign(kernel);
        _region.Increment(kernel.Length);
        kernel = Mark(kernel);
        Cells? last = null;
        var plane = x.Dims[2] * x.Dims[3];
        for (long b = 0; b < batch; b++)
        {
            for (long c = 0; c < channels; c++)
            {
                var slice = new Cells(x.Items.Skip((int)(((b * channels) + c) * plane)).Take((int)plane).ToArray(), [1, 1, x.Dims[2], x.Dims[3]]) { Assigned = x.Assigned };
                last = Conv([slice, kernel], padding, stride, 1);
            }
        }

        var output = Mark(Cells.Unknown(batch, channels, last!.Dims[2], last.Dims[3]));
        return normalized ? Div(output, kernelLength) : output;
    }
}

/// <summary>What laying out one node cost: advice cells, rows, shuffles, dynamic lookups, new distinct constants, and
/// the lookup tables and range checks it reads.</summary>
internal sealed record NodeCost(long Assignments, long Rows, long Shuffles, long DynamicLookups, long Constants, IReadOnlyList<string> Tables);
