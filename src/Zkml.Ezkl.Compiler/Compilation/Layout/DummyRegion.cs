using System.Numerics;
using Zkml.Ezkl.Compilation.Circuit;

namespace Zkml.Ezkl.Compilation.Layout;

/// <summary>
/// An abstract tensor for the dummy layout: only which elements are fixed constants (and their
/// values) matters for the counts; every other element is an unknown witness value (null).
/// </summary>
internal sealed class Cells
{
    public Cells(BigInteger?[] items, long[] dims)
    {
        Items = items;
        Dims = dims.Length == 0 ? [1] : dims;
    }

    public BigInteger?[] Items { get; }

    public long[] Dims { get; }

    public int Length => Items.Length;

    /// <summary>Whether the cells were already assigned by an earlier layout step (ezkl's
    /// <c>all_prev_assigned</c>); only the tight (real-layout) estimate ever sets it.</summary>
    public bool Assigned { get; init; }

    public static Cells Unknown(params long[] dims) => new(new BigInteger?[checked((int)Math.Max(1, dims.Aggregate(1L, (a, b) => a * b)))], dims);

    public static Cells Constant(BigInteger value, int count) => new(Enumerable.Repeat<BigInteger?>(value, count).ToArray(), [count]);

    public Cells Reshaped(long[] dims) => new(Items, dims) { Assigned = Assigned };
}

/// <summary>
/// ezkl's <c>RegionCtx</c> in dummy mode (no witness): a linear coordinate advanced explicitly by
/// each layout function, a row derived from it, the set of distinct constant values assigned, and
/// the range checks and lookups used. Column height is <c>2^logrows − 6</c> as in <c>VarTensor::dummy</c>.
/// </summary>
internal sealed class DummyRegion
{
    private readonly long _innerCols;
    private readonly long _columnSize;

    public DummyRegion(RunArgs runArgs, uint logrows)
    {
        _innerCols = (long)runArgs.NumInnerCols;
        _columnSize = (1L << (int)logrows) - 6;
        DecompBase = (ulong)runArgs.DecompBase;
        DecompLegs = (int)runArgs.DecompLegs;
    }

    public ulong DecompBase { get; }

    public int DecompLegs { get; }

    public long InnerCols => _innerCols;

    public long ColumnSize => _columnSize;

    /// <summary>Shuffle arguments laid out so far (ezkl's <c>shuffle_index</c>).</summary>
    public long ShuffleIndex { get; private set; }

    /// <summary>Cells used in the single-column shuffle columns, flushes included (<c>shuffle_col_coord</c>).</summary>
    public long ShuffleColCoord { get; private set; }

    /// <summary>Dynamic lookups laid out so far (ezkl's <c>dynamic_lookup_index</c>).</summary>
    public long DynamicLookupIndex { get; private set; }

    /// <summary>Cells used by dynamic-lookup tables in the single-column vars, flushes included.</summary>
    public long DynamicLookupColCoord { get; private set; }

    /// <summary>The longest tensor assigned to a dynamic-lookup or shuffle column.</summary>
    public long MaxDynamicInputLen { get; private set; }

    /// <summary>ezkl's <c>assign_dynamic_lookup</c> / <c>assign_shuffle</c> in dummy mode: records the length and
    /// returns how many cells the single-column var skips to start the values in the next column when they would
    /// cross its end (<c>VarTensor::get_column_flush</c> at the combined dynamic-lookup + shuffle coordinate).</summary>
    public long AssignDynamic(Cells cells)
    {
        MaxDynamicInputLen = Math.Max(MaxDynamicInputLen, cells.Length);
        Assign(cells);
        var offset = DynamicLookupColCoord + ShuffleColCoord;
        return offset / _columnSize != (offset + cells.Length) / _columnSize ? _columnSize - (offset % _columnSize) : 0;
    }

    public void CompleteDynamicLookup(long tableLength, long flush, long lookupLength)
    {
        DynamicLookupColCoord += tableLength + flush;
        DynamicLookupIndex++;
        Increment(lookupLength);
    }

    public void CompleteShuffle(long length, long flush)
    {
        ShuffleColCoord += length + flush;
        ShuffleIndex++;
        Increment(length);
    }

    public long LinearCoord { get; private set; }

    public long Row => LinearCoord / _innerCols;

    public HashSet<BigInteger> Constants { get; } = [];

    public List<(Int128 Min, Int128 Max)> RangeChecks { get; } = [];

    public List<CircuitOp> Lookups { get; } = [];

    public void Assign(Cells cells)
    {
        foreach (var item in cells.Items)
        {
            if (item is { } c)
            {
                Constants.Add(Felt.FromSignedInteger(c).Value);
            }
        }
    }

    public void Increment(long n) => LinearCoord += n;

    public void Flush()
    {
        var remainder = LinearCoord % _innerCols;
        if (remainder != 0)
        {
            LinearCoord += _innerCols - remainder;
        }
    }

    /// <summary>The lookups and range checks the node being laid out uses (reset per node, for the cost table).</summary>
    public HashSet<string> NodeTables { get; } = [];

    public void AddRangeCheck(Int128 min, Int128 max)
    {
        NodeTables.Add($"range[{min}, {max}]");
        if (!RangeChecks.Contains((min, max)))
        {
            RangeChecks.Add((min, max));
        }
    }

    public void AddLookup(CircuitOp op)
    {
        var key = op.ToString();
        NodeTables.Add(key);
        if (!Lookups.Any(l => l.ToString() == key))
        {
            Lookups.Add(op);
        }
    }

    /// <summary>The length of an assignment with duplication: where it crosses a column boundary,
    /// the unconstrained path repeats the boundary cell across the inner columns.</summary>
    public long DuplicatedLength(Cells cells, bool singleInnerColumn)
    {
        var frequency = singleInnerColumn ? _columnSize : _columnSize * _innerCols;
        var repeats = singleInnerColumn ? 1 : _innerCols;
        var offset = singleInnerColumn ? Row : LinearCoord;
        long length = 0;
        for (var i = 0; i < cells.Length; i++)
        {
            if ((i + offset + 1) % frequency == 0)
            {
                length += 1 + repeats;
                offset += repeats;
            }
            else
            {
                length += 1;
            }
        }

        Assign(cells);
        return length;
    }
}
