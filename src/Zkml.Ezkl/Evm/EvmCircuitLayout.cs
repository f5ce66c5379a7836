namespace Zkml.Ezkl.Evm;

/// <summary>
/// What the verifier derives from the constraint system (halo2-solidity-verifier's ConstraintSystemMeta with
/// mv-lookup, zkonduit/halo2 f441c92): the circuit degree, blinding factors, how many commitments each transcript
/// phase holds, and where each item sits in the proof.
/// </summary>
internal sealed class EvmCircuitLayout
{
    /// <summary>Where the proof's bytes start in the calldata of <c>verifyProof(bytes,uint256[])</c>.</summary>
    public const int ProofOffset = 0x64;

    public EvmCircuitLayout(PinnedVerifyingKey vk, int numInstances)
    {
        Check(vk, numInstances);
        NumInstances = numInstances;
        NumAdvice = vk.NumAdviceColumns;
        AdviceQueries = vk.AdviceQueries;
        FixedQueries = vk.FixedQueries;
        PermutationColumns = vk.PermutationColumns;
        NumLookups = vk.Lookups.Count;

        var degree = Math.Max(3, vk.MinimumDegree ?? 1);
        foreach (var gate in vk.Gates)
        {
            degree = Math.Max(degree, gate.Degree);
        }

        foreach (var lookup in vk.Lookups)
        {
            degree = Math.Max(degree, LookupDegree(lookup));
        }

        Degree = degree;
        var perColumn = new int[Math.Max(1, vk.NumAdviceColumns)];
        foreach (var query in vk.AdviceQueries)
        {
            perColumn[query.Column.Index]++;
        }

        BlindingFactors = Math.Max(3, vk.AdviceQueries.Count == 0 ? 1 : perColumn.Max()) + 2;
        NumQuotients = degree - 1;
        PermutationChunkLength = degree - 2;
        NumPermutationZs = (PermutationColumns.Count + PermutationChunkLength - 1) / PermutationChunkLength;

        var extendedK = vk.K;
        while ((1 << (extendedK - vk.K)) < NumQuotients)
        {
            extendedK++;
        }

        if (extendedK != vk.ExtendedK)
        {
            throw new EvmVerifierException(
                EvmVerifierFailure.MalformedPinnedKey,
                $"The circuit degree {degree} implies extended_k = {extendedK}, the key says {vk.ExtendedK}: the constraint system is not the one the key was made for.");
        }

        NumEvals = AdviceQueries.Count + FixedQueries.Count + 1 + PermutationColumns.Count + (3 * NumPermutationZs) - 1 + (3 * NumLookups);

        // Calldata layout of the proof (halo2's transcript order).
        AdviceCommitments = ProofOffset;
        LookupMCommitments = AdviceCommitments + (0x40 * NumAdvice);
        PermutationZCommitments = LookupMCommitments + (0x40 * NumLookups);
        LookupPhiCommitments = PermutationZCommitments + (0x40 * NumPermutationZs);
        RandomCommitment = LookupPhiCommitments + (0x40 * NumLookups);
        QuotientCommitments = RandomCommitment + 0x40;
        AdviceEvals = QuotientCommitments + (0x40 * NumQuotients);
        FixedEvals = AdviceEvals + (0x20 * AdviceQueries.Count);
        RandomEval = FixedEvals + (0x20 * FixedQueries.Count);
        PermutationEvals = RandomEval + 0x20;
        PermutationZEvals = PermutationEvals + (0x20 * PermutationColumns.Count);
        LookupEvals = PermutationZEvals + (0x20 * ((3 * NumPermutationZs) - 1));
        W = LookupEvals + (0x20 * 3 * NumLookups);
        WPrime = W + 0x40;
        ProofLength = WPrime + 0x40 - ProofOffset;
    }

    public int NumInstances { get; }

    public int NumAdvice { get; }

    public IReadOnlyList<PinnedQuery> AdviceQueries { get; }

    public IReadOnlyList<PinnedQuery> FixedQueries { get; }

    public IReadOnlyList<PinnedColumn> PermutationColumns { get; }

    public int NumLookups { get; }

    /// <summary>halo2's <c>ConstraintSystem::degree()</c> (permutation 3, mv-lookups, gates, minimum degree).</summary>
    public int Degree { get; }

    public int BlindingFactors { get; }

    /// <summary>The rotation of the last usable row, −(blinding factors + 1).</summary>
    public int RotationLast => -(BlindingFactors + 1);

    public int NumQuotients { get; }

    public int PermutationChunkLength { get; }

    public int NumPermutationZs { get; }

    public int NumEvals { get; }

    public int ProofLength { get; }

    public int AdviceCommitments { get; }

    public int LookupMCommitments { get; }

    public int PermutationZCommitments { get; }

    public int LookupPhiCommitments { get; }

    public int RandomCommitment { get; }

    public int QuotientCommitments { get; }

    public int AdviceEvals { get; }

    public int FixedEvals { get; }

    public int RandomEval { get; }

    public int PermutationEvals { get; }

    public int PermutationZEvals { get; }

    public int LookupEvals { get; }

    public int W { get; }

    public int WPrime { get; }

    /// <summary>Calldata offset of the evaluation of permutation product <paramref name="set"/> at x, ωx or ω^last·x.</summary>
    public int PermutationZEval(int set, int which) => PermutationZEvals + (0x20 * ((3 * set) + which));

    /// <summary>Calldata offset of lookup <paramref name="lookup"/>'s φ(x), φ(ωx) or m(x).</summary>
    public int LookupEval(int lookup, int which) => LookupEvals + (0x20 * ((3 * lookup) + which));

    /// <summary>Calldata offset of the evaluation of a column at a rotation (the query must exist).</summary>
    public int QueryEval(ColumnKind kind, int column, int rotation)
    {
        var (queries, start) = kind == ColumnKind.Advice ? (AdviceQueries, AdviceEvals) : (FixedQueries, FixedEvals);
        for (var i = 0; i < queries.Count; i++)
        {
            if (queries[i].Column.Index == column && queries[i].Rotation == rotation)
            {
                return start + (0x20 * i);
            }
        }

        throw new EvmVerifierException(EvmVerifierFailure.MalformedPinnedKey, $"No {kind} query of column {column} at rotation {rotation}.");
    }

    private static int LookupDegree(PinnedLookup lookup)
    {
        var tableDegree = lookup.TableExpressions.Select(e => e.Degree).DefaultIfEmpty(0).Max();
        var inputsDegree = lookup.InputsExpressions.Sum(input => input.Select(e => e.Degree).DefaultIfEmpty(0).Max());
        return Math.Max(3 + lookup.InputsExpressions.Count, tableDegree + inputsDegree + 2);
    }

    private static void Check(PinnedVerifyingKey vk, int numInstances)
    {
        static EvmVerifierException Unsupported(string what) =>
            new(EvmVerifierFailure.UnsupportedCircuit, $"The Solidity verifier does not support {what}.");

        if (vk.NumAdviceColumns == 0)
        {
            throw Unsupported("a circuit without advice columns");
        }

        if (vk.NumInstanceColumns > 1)
        {
            throw Unsupported($"more than one instance column (this circuit has {vk.NumInstanceColumns})");
        }

        if (vk.InstanceQueries.Any(q => q.Rotation != 0))
        {
            throw Unsupported("rotated instance queries");
        }

        if (vk.NumChallenges > 0 || vk.AdviceColumnPhases.Any(p => p != 0))
        {
            throw Unsupported($"challenges or advice columns in later phases (this circuit has {vk.NumChallenges} challenges)");
        }

        if (vk.Shuffles.Count > 0)
        {
            throw Unsupported($"shuffle arguments (this circuit has {vk.Shuffles.Count}; ezkl uses them for sorting, MaxPool, Softmax, ArgMax and TopK)");
        }

        if (vk.PermutationColumns.Count == 0)
        {
            throw Unsupported("a circuit without a permutation argument");
        }

        if (vk.Lookups.Any(l => l.InputsExpressions.Count == 0 || l.TableExpressions.Count == 0 || l.InputsExpressions.Any(i => i.Count != l.TableExpressions.Count)))
        {
            throw new EvmVerifierException(EvmVerifierFailure.MalformedPinnedKey, "A lookup has no inputs, or inputs of another width than its table.");
        }

        if (numInstances < 0 || (vk.NumInstanceColumns == 0 && numInstances != 0))
        {
            throw new EvmVerifierException(EvmVerifierFailure.InvalidInput, $"{numInstances} instances for a circuit with {vk.NumInstanceColumns} instance columns.");
        }
    }
}
