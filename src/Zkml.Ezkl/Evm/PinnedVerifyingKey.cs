using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Zkml.Ezkl.Evm;

/// <summary>
/// halo2's pinned verifying key (<c>format!("{:?}", vk.pinned())</c>, zkonduit/halo2 f441c92 with mv-lookup):
/// the domain, the whole constraint system and the commitments, parsed into a typed model. The text is what
/// halo2 hashes into the transcript, so <see cref="Digest"/> proves the model describes the key byte for byte.
/// </summary>
internal sealed class PinnedVerifyingKey
{
    /// <summary>BN254's scalar field modulus r.</summary>
    public static readonly BigInteger ScalarModulus =
        BigInteger.Parse("30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001", System.Globalization.NumberStyles.HexNumber);

    /// <summary>BN254's base field modulus q.</summary>
    public static readonly BigInteger BaseModulus =
        BigInteger.Parse("30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47", System.Globalization.NumberStyles.HexNumber);

    /// <summary>The bytes every pinned key of a BN254 circuit starts with.</summary>
    public const string Prefix = "PinnedVerificationKey { base_modulus: ";

    private const string BaseModulusText = "0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47";
    private const string ScalarModulusText = "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";

    private BigInteger? _digest;

    private PinnedVerifyingKey(string text)
    {
        Text = text;
    }

    public string Text { get; }

    public int K { get; private set; }

    public int ExtendedK { get; private set; }

    public BigInteger Omega { get; private set; }

    public int NumFixedColumns { get; private set; }

    public int NumAdviceColumns { get; private set; }

    public int NumInstanceColumns { get; private set; }

    public int NumSelectors { get; private set; }

    public int NumChallenges { get; private set; }

    public IReadOnlyList<int> AdviceColumnPhases { get; private set; } = [];

    public IReadOnlyList<int> ChallengePhases { get; private set; } = [];

    /// <summary>The gates' polynomials, flattened in order (gate boundaries are not in the string).</summary>
    public IReadOnlyList<PinnedExpression> Gates { get; private set; } = [];

    public IReadOnlyList<PinnedQuery> AdviceQueries { get; private set; } = [];

    public IReadOnlyList<PinnedQuery> InstanceQueries { get; private set; } = [];

    public IReadOnlyList<PinnedQuery> FixedQueries { get; private set; } = [];

    public IReadOnlyList<PinnedColumn> PermutationColumns { get; private set; } = [];

    public IReadOnlyList<PinnedLookup> Lookups { get; private set; } = [];

    public IReadOnlyList<PinnedShuffle> Shuffles { get; private set; } = [];

    public IReadOnlyList<PinnedColumn> Constants { get; private set; } = [];

    public int? MinimumDegree { get; private set; }

    /// <summary>Fixed commitments in column order; <c>Infinity</c> is (0, 0), as vk.key stores it.</summary>
    public IReadOnlyList<G1Affine> FixedCommitments { get; private set; } = [];

    /// <summary>Permutation commitments in column order; <c>Infinity</c> is (0, 0).</summary>
    public IReadOnlyList<G1Affine> PermutationCommitments { get; private set; } = [];

    /// <summary>
    /// halo2's transcript representation of the key: blake2b-512 with personalization "Halo2-Verify-Key" over
    /// <c>u64le(len) || text</c>, read little-endian and reduced mod r.
    /// </summary>
    public BigInteger Digest => _digest ??= ComputeDigest(Text);

    /// <summary>Parses a complete pinned string (nothing may follow it).</summary>
    /// <exception cref="EvmVerifierException">The string is malformed, truncated or followed by other text.</exception>
    public static PinnedVerifyingKey Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            var key = Read(text, out var length);
            if (length != text.Length)
            {
                throw new FormatException($"{text.Length - length} characters follow the key at offset {length}");
            }

            return key;
        }
        catch (FormatException e)
        {
            throw new EvmVerifierException(EvmVerifierFailure.MalformedPinnedKey, $"The pinned verifying key is malformed: {e.Message}.", e);
        }
    }

    /// <summary>
    /// Parses one complete copy at the start of <paramref name="utf8"/> (a memory scan): false when it is
    /// incomplete or malformed. Never throws.
    /// </summary>
    public static bool TryParsePrefix(ReadOnlySpan<byte> utf8, out PinnedVerifyingKey? key, out int length)
    {
        key = null;
        length = 0;

        // The string is printable ASCII on one line; the first other byte bounds it.
        var end = 0;
        while (end < utf8.Length && utf8[end] is >= 0x20 and < 0x7f)
        {
            end++;
        }

        if (end < Prefix.Length || !utf8[..Prefix.Length].SequenceEqual(Encoding.ASCII.GetBytes(Prefix)))
        {
            return false;
        }

        var text = Encoding.ASCII.GetString(utf8[..end]);
        try
        {
            var parsed = Read(text, out var consumed);
            key = consumed == text.Length ? parsed : new PinnedVerifyingKey(text[..consumed]).CopyFrom(parsed);
            length = consumed;
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    internal static BigInteger ComputeDigest(string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        var hasher = new Blake2b("Halo2-Verify-Key"u8);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)bytes.Length);
        hasher.Update(length);
        hasher.Update(bytes);
        var wide = new BigInteger(hasher.Finish(), isUnsigned: true, isBigEndian: false);
        return wide % ScalarModulus;
    }

    private static PinnedVerifyingKey Read(string text, out int length)
    {
        var r = new PinnedKeyReader(text);
        r.Expect(Prefix);
        if (r.ReadQuoted() != BaseModulusText)
        {
            throw new FormatException("the base modulus is not BN254's");
        }

        r.Expect(", scalar_modulus: ");
        if (r.ReadQuoted() != ScalarModulusText)
        {
            throw new FormatException("the scalar modulus is not BN254's");
        }

        var key = new PinnedVerifyingKey(text);
        r.Expect(", domain: PinnedEvaluationDomain { k: ");
        key.K = r.ReadInt();
        r.Expect(", extended_k: ");
        key.ExtendedK = r.ReadInt();
        r.Expect(", omega: ");
        key.Omega = r.ReadField();
        r.Expect(" }, cs: PinnedConstraintSystem { num_fixed_columns: ");
        key.NumFixedColumns = r.ReadInt();
        r.Expect(", num_advice_columns: ");
        key.NumAdviceColumns = r.ReadInt();
        r.Expect(", num_instance_columns: ");
        key.NumInstanceColumns = r.ReadInt();
        r.Expect(", num_selectors: ");
        key.NumSelectors = r.ReadInt();
        if (r.TryExpect(", num_challenges: "))
        {
            key.NumChallenges = r.ReadInt();
            r.Expect(", advice_column_phase: ");
            key.AdviceColumnPhases = r.ReadList("[", "]", r.ReadPhase);
            r.Expect(", challenge_phase: ");
            key.ChallengePhases = r.ReadList("[", "]", r.ReadPhase);
        }

        r.Expect(", gates: ");
        key.Gates = r.ReadExpressions();
        r.Expect(", advice_queries: ");
        key.AdviceQueries = r.ReadList("[", "]", r.ReadQuery);
        r.Expect(", instance_queries: ");
        key.InstanceQueries = r.ReadList("[", "]", r.ReadQuery);
        r.Expect(", fixed_queries: ");
        key.FixedQueries = r.ReadList("[", "]", r.ReadQuery);
        r.Expect(", permutation: Argument { columns: ");
        key.PermutationColumns = r.ReadList("[", "]", r.ReadColumn);
        r.Expect(" }, lookups: ");
        key.Lookups = r.ReadList("[", "]", () => ReadLookup(r));
        r.Expect(", lookups_map: ");
        r.ReadList("{", "}", () => SkipLookupTracker(r));
        if (r.TryExpect(", shuffles: "))
        {
            key.Shuffles = r.ReadList("[", "]", () => ReadShuffle(r));
        }

        r.Expect(", constants: ");
        key.Constants = r.ReadList("[", "]", r.ReadColumn);
        r.Expect(", minimum_degree: ");
        if (!r.TryExpect("None"))
        {
            r.Expect("Some(");
            key.MinimumDegree = r.ReadInt();
            r.Expect(")");
        }

        r.Expect(" }, fixed_commitments: ");
        key.FixedCommitments = r.ReadList("[", "]", r.ReadG1);
        r.Expect(", permutation: VerifyingKey { commitments: ");
        key.PermutationCommitments = r.ReadList("[", "]", r.ReadG1);
        r.Expect(" } }");
        length = r.Position;
        key.Validate();
        return key;
    }

    private static PinnedLookup ReadLookup(PinnedKeyReader r)
    {
        r.Expect("Argument { table_expressions: ");
        var table = r.ReadExpressions();
        r.Expect(", inputs_expressions: ");
        var inputs = r.ReadList<IReadOnlyList<PinnedExpression>>("[", "]", r.ReadExpressions);
        r.Expect(" }");
        return new PinnedLookup(table, inputs);
    }

    private static int SkipLookupTracker(PinnedKeyReader r)
    {
        r.ReadQuoted();
        r.Expect(": LookupTracker { table: ");
        r.ReadExpressions();
        r.Expect(", inputs: ");
        r.ReadList<IReadOnlyList<PinnedExpression>>("[", "]", r.ReadExpressions);
        r.Expect(" }");
        return 0;
    }

    private static PinnedShuffle ReadShuffle(PinnedKeyReader r)
    {
        r.Expect("Argument { input_expressions: ");
        var input = r.ReadExpressions();
        r.Expect(", shuffle_expressions: ");
        var shuffle = r.ReadExpressions();
        r.Expect(" }");
        return new PinnedShuffle(input, shuffle);
    }

    private void Validate()
    {
        if (K is < 1 or > 28 || ExtendedK < K || ExtendedK > 32)
        {
            throw new FormatException($"k = {K}, extended_k = {ExtendedK} is out of range");
        }

        if (Omega >= ScalarModulus || BigInteger.ModPow(Omega, BigInteger.One << K, ScalarModulus) != BigInteger.One)
        {
            throw new FormatException("omega is not a 2^k-th root of unity");
        }

        if (FixedCommitments.Count != NumFixedColumns)
        {
            throw new FormatException($"{FixedCommitments.Count} fixed commitments for {NumFixedColumns} fixed columns");
        }

        if (PermutationCommitments.Count != PermutationColumns.Count)
        {
            throw new FormatException($"{PermutationCommitments.Count} permutation commitments for {PermutationColumns.Count} permutation columns");
        }

        foreach (var point in FixedCommitments.Concat(PermutationCommitments))
        {
            if (point.X >= BaseModulus || point.Y >= BaseModulus)
            {
                throw new FormatException("a commitment coordinate is not below the base modulus");
            }
        }

        CheckQueries(AdviceQueries, ColumnKind.Advice, NumAdviceColumns);
        CheckQueries(FixedQueries, ColumnKind.Fixed, NumFixedColumns);
        CheckQueries(InstanceQueries, ColumnKind.Instance, NumInstanceColumns);
    }

    private static void CheckQueries(IReadOnlyList<PinnedQuery> queries, ColumnKind kind, int columns)
    {
        foreach (var query in queries)
        {
            if (query.Column.Kind != kind || query.Column.Index < 0 || query.Column.Index >= columns)
            {
                throw new FormatException($"a {kind} query names column {query.Column.Kind} {query.Column.Index} of {columns}");
            }
        }
    }

    private PinnedVerifyingKey CopyFrom(PinnedVerifyingKey other)
    {
        K = other.K;
        ExtendedK = other.ExtendedK;
        Omega = other.Omega;
        NumFixedColumns = other.NumFixedColumns;
        NumAdviceColumns = other.NumAdviceColumns;
        NumInstanceColumns = other.NumInstanceColumns;
        NumSelectors = other.NumSelectors;
        NumChallenges = other.NumChallenges;
        AdviceColumnPhases = other.AdviceColumnPhases;
        ChallengePhases = other.ChallengePhases;
        Gates = other.Gates;
        AdviceQueries = other.AdviceQueries;
        InstanceQueries = other.InstanceQueries;
        FixedQueries = other.FixedQueries;
        PermutationColumns = other.PermutationColumns;
        Lookups = other.Lookups;
        Shuffles = other.Shuffles;
        Constants = other.Constants;
        MinimumDegree = other.MinimumDegree;
        FixedCommitments = other.FixedCommitments;
        PermutationCommitments = other.PermutationCommitments;
        return this;
    }
}
