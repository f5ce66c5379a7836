using System.Numerics;

namespace Zkml.Ezkl.Evm;

internal static partial class EvmVerifierGenerator
{
    /// <summary>
    /// The SHPLONK (BDFG21) multi-open of halo2's KZG verifier: queries in halo2's order, grouped by commitment
    /// (in order of first appearance) and then by equal rotation sets; powers of ζ within a set, powers of ν across
    /// sets, and the pairing inputs lhs = Σ ν^i·Z_{T∖S_i}(μ)/Z_{T∖S_0}(μ)·Σ ζ^j·C_ij − r·g1 − Z_{S_0}(μ)·W + μ·W'.
    /// </summary>
    private sealed class Shplonk
    {
        private readonly List<RotationSet> _sets = [];

        public Shplonk(PinnedVerifyingKey vk, EvmCircuitLayout layout, Commitment quotient, int quotientEval)
        {
            var openings = Openings(vk, layout);
            openings.Add((quotient, 0, new Eval($"mload({H(quotientEval)})")));
            openings.Add((Commitment.InProof("random", layout.RandomCommitment), 0, new Eval($"calldataload({H(layout.RandomEval)})")));
            var rotations = new SortedSet<int>();
            var byCommitment = new List<(Commitment Commitment, SortedDictionary<int, Eval> Evals)>();
            foreach (var (commitment, rotation, eval) in openings)
            {
                rotations.Add(rotation);
                var index = byCommitment.FindIndex(c => c.Commitment.Key == commitment.Key);
                if (index < 0)
                {
                    byCommitment.Add((commitment, new SortedDictionary<int, Eval> { [rotation] = eval }));
                }
                else if (!byCommitment[index].Evals.TryAdd(rotation, eval))
                {
                    throw new EvmVerifierException(EvmVerifierFailure.MalformedPinnedKey, $"{commitment.Key} is queried twice at rotation {rotation}.");
                }
            }

            foreach (var (commitment, evals) in byCommitment)
            {
                var set = _sets.Find(s => s.Rotations.SequenceEqual(evals.Keys));
                if (set is null)
                {
                    set = new RotationSet([.. evals.Keys]);
                    _sets.Add(set);
                }

                set.Commitments.Add(commitment);
                set.Evals.Add([.. evals.Values]);
            }

            Rotations = [.. rotations];
            NumLagrangeCoefficients = _sets.Where(s => s.Rotations.Length > 1).Sum(s => s.Rotations.Length);
        }

        /// <summary>Every rotation opened (halo2's super point set), ascending.</summary>
        public IReadOnlyList<int> Rotations { get; }

        public int NumLagrangeCoefficients { get; }

        public List<string> Lines(Writer writer)
        {
            var lines = new List<string>();
            string Mmp(int rotation) => $"mload({H(writer.MuMinusPoint + (0x20 * IndexOf(rotation)))})";
            string MmpInverse(int rotation) => $"mload({H(writer.MuMinusPointInverse(IndexOf(rotation)))})";

            // A product as statements on one variable (never nested calls, so the stack stays shallow).
            IEnumerable<string> Product(string variable, string start, IEnumerable<string> factors, string indent = "") =>
                factors.Select(f => $"{indent}{variable} := mulmod({variable}, {f}, r)").Prepend($"{indent}let {variable} := {start}");

            // Lagrange basis of each multi-point set at μ: L_j(μ) = w_j·x^−(m−1)·Π_{k≠j}(μ − x·ω^k), where
            // w_j = 1/Π_{k≠j}(ω^j − ω^k) is a constant.
            var lagrange = new Dictionary<(int Set, int Rotation), int>();
            var next = writer.LagrangeCoefficients;
            for (var s = 0; s < _sets.Count; s++)
            {
                var set = _sets[s];
                if (set.Rotations.Length == 1)
                {
                    continue;
                }

                var xPower = Enumerable.Repeat($"mload({H(writer.XInverse)})", set.Rotations.Length - 1);
                foreach (var j in set.Rotations)
                {
                    var weight = BigInteger.One;
                    foreach (var k in set.Rotations.Where(k => k != j))
                    {
                        weight = weight * Mod(writer.OmegaPower(j) - writer.OmegaPower(k)) % R;
                    }

                    var others = set.Rotations.Where(k => k != j).Select(Mmp);
                    lines.Add("{");
                    lines.AddRange(Product("t", W(Inverse(weight)), xPower.Concat(others), "    "));
                    lines.Add($"    mstore({H(next)}, t)");
                    lines.Add("}");
                    lagrange[(s, j)] = next;
                    next += 0x20;
                }
            }

            // 1/Z_{T∖S_0}(μ), the normalisation of every set's coefficient.
            var first = _sets[0];
            lines.Add("{");
            lines.AddRange(Product("t", "1", Rotations.Where(r => !first.Rotations.Contains(r)).Select(MmpInverse), "    "));
            lines.Add($"    mstore({H(writer.ZetaDiff0Inverse)}, t)");
            lines.Add("}");
            lines.Add($"mstore({H(writer.NuPower)}, mload({H(writer.Nu)}))");
            lines.Add($"let zeta := mload({H(writer.Zeta)})");
            for (var s = 0; s < _sets.Count; s++)
            {
                var set = _sets[s];
                var isFirst = s == 0;

                // r_i(μ) = Σ_j ζ^j·r_ij(μ), each r_ij the interpolation of commitment j's evaluations.
                lines.Add("{");
                lines.Add("    let r_set := 0");
                for (var c = set.Commitments.Count - 1; c >= 0; c--)
                {
                    var evals = set.Evals[c];
                    var value = set.Rotations.Length == 1
                        ? evals[0].Code
                        : Enumerable.Range(0, set.Rotations.Length)
                            .Select(i => $"mulmod({evals[i].Code}, mload({H(lagrange[(s, set.Rotations[i])])}), r)")
                            .Aggregate((a, b) => $"addmod({a}, {b}, r)");
                    lines.Add(c == set.Commitments.Count - 1 ? $"    r_set := {value}" : $"    r_set := addmod(mulmod(r_set, zeta, r), {value}, r)");
                }

                if (isFirst)
                {
                    lines.Add($"    mstore({H(writer.ROuter)}, r_set)");
                }
                else
                {
                    lines.AddRange(Product(
                        "coeff",
                        $"mulmod(mload({H(writer.NuPower)}), mload({H(writer.ZetaDiff0Inverse)}), r)",
                        Rotations.Where(r => !set.Rotations.Contains(r)).Select(Mmp),
                        "    "));
                    lines.Add($"    mstore({H(writer.ROuter)}, addmod(mload({H(writer.ROuter)}), mulmod(coeff, r_set, r), r))");
                    lines.Add($"    mstore({H(writer.NuPower)}, mulmod(mload({H(writer.NuPower)}), mload({H(writer.Nu)}), r))");
                }

                // Σ_j ζ^j·C_ij by Horner from the last commitment, in the accumulator (set 0) or the temporary point.
                var (add, mul, px) = isFirst ? ("ec_add_acc", "ec_mul_acc", "0x00") : ("ec_add_tmp", "ec_mul_tmp", "0x80");
                var py = isFirst ? "0x20" : "0xa0";
                var last = set.Commitments[^1];
                lines.Add($"    mstore({px}, {last.X})");
                lines.Add($"    mstore({py}, {last.Y})");
                var c2 = set.Commitments.Count - 2;
                while (c2 >= 0)
                {
                    // A run of commitments laid out backwards in calldata folds in a loop instead of straight-line code.
                    var run = 1;
                    while (c2 - run >= 0 && set.Commitments[c2].Calldata is int top && set.Commitments[c2 - run].Calldata == top - (0x40 * run))
                    {
                        run++;
                    }

                    if (run >= 3)
                    {
                        var top = set.Commitments[c2].Calldata!.Value;
                        lines.Add($"    for {{ let c := {H(top)} }} gt(c, {H(top - (0x40 * run))}) {{ c := sub(c, 0x40) }} {{");
                        lines.Add($"        success := {mul}(success, zeta)");
                        lines.Add($"        success := {add}(success, calldataload(c), calldataload(add(c, 0x20)))");
                        lines.Add("    }");
                        c2 -= run;
                        continue;
                    }

                    lines.Add($"    success := {mul}(success, zeta)");
                    lines.Add($"    success := {add}(success, {set.Commitments[c2].X}, {set.Commitments[c2].Y})");
                    c2--;
                }

                if (!isFirst)
                {
                    lines.Add("    success := ec_mul_tmp(success, coeff)");
                    lines.Add("    success := ec_add_acc(success, mload(0x80), mload(0xa0))");
                }

                lines.Add("}");
            }

            // lhs −= r·g1, lhs −= Z_{S_0}(μ)·W, lhs += μ·W'
            var l = writer.Layout;
            lines.AddRange(Product("z_0", "1", first.Rotations.Select(Mmp)));
            lines.Add($"mstore(0x80, {W(writer.Srs.G1X)})");
            lines.Add($"mstore(0xa0, {W(writer.Srs.G1Y)})");
            lines.Add($"success := ec_mul_tmp(success, sub(r, mload({H(writer.ROuter)})))");
            lines.Add("success := ec_add_acc(success, mload(0x80), mload(0xa0))");
            lines.Add($"mstore(0x80, calldataload({H(l.W)}))");
            lines.Add($"mstore(0xa0, calldataload({H(l.W + 0x20)}))");
            lines.Add("success := ec_mul_tmp(success, sub(r, z_0))");
            lines.Add("success := ec_add_acc(success, mload(0x80), mload(0xa0))");
            lines.Add($"mstore(0x80, calldataload({H(l.WPrime)}))");
            lines.Add($"mstore(0xa0, calldataload({H(l.WPrime + 0x20)}))");
            lines.Add($"success := ec_mul_tmp(success, mload({H(writer.Mu)}))");
            lines.Add("success := ec_add_acc(success, mload(0x80), mload(0xa0))");
            return lines;
        }

        private int IndexOf(int rotation)
        {
            for (var i = 0; i < Rotations.Count; i++)
            {
                if (Rotations[i] == rotation)
                {
                    return i;
                }
            }

            throw new InvalidOperationException("rotation " + rotation + " is not opened");
        }

        /// <summary>halo2 verifier.rs's query order: advice, permutation products, lookups, fixed, permutation columns, vanishing.</summary>
        private static List<(Commitment, int, Eval)> Openings(PinnedVerifyingKey vk, EvmCircuitLayout l)
        {
            var list = new List<(Commitment, int, Eval)>();
            static Eval At(int cptr) => new($"calldataload({H(cptr)})");

            for (var q = 0; q < l.AdviceQueries.Count; q++)
            {
                var column = l.AdviceQueries[q].Column.Index;
                list.Add((Commitment.InProof("advice" + column, l.AdviceCommitments + (0x40 * column)), l.AdviceQueries[q].Rotation, At(l.AdviceEvals + (0x20 * q))));
            }

            for (var set = 0; set < l.NumPermutationZs; set++)
            {
                var z = Commitment.InProof("permutation_z" + set, l.PermutationZCommitments + (0x40 * set));
                list.Add((z, 0, At(l.PermutationZEval(set, 0))));
                list.Add((z, 1, At(l.PermutationZEval(set, 1))));
            }

            for (var set = l.NumPermutationZs - 2; set >= 0; set--)
            {
                list.Add((Commitment.InProof("permutation_z" + set, l.PermutationZCommitments + (0x40 * set)), l.RotationLast, At(l.PermutationZEval(set, 2))));
            }

            for (var i = 0; i < l.NumLookups; i++)
            {
                var phi = Commitment.InProof("lookup_phi" + i, l.LookupPhiCommitments + (0x40 * i));
                list.Add((phi, 0, At(l.LookupEval(i, 0))));
                list.Add((phi, 1, At(l.LookupEval(i, 1))));
                list.Add((Commitment.InProof("lookup_m" + i, l.LookupMCommitments + (0x40 * i)), 0, At(l.LookupEval(i, 2))));
            }

            for (var q = 0; q < l.FixedQueries.Count; q++)
            {
                var column = l.FixedQueries[q].Column.Index;
                list.Add((Commitment.Constant("fixed" + column, vk.FixedCommitments[column]), l.FixedQueries[q].Rotation, At(l.FixedEvals + (0x20 * q))));
            }

            for (var i = 0; i < l.PermutationColumns.Count; i++)
            {
                list.Add((Commitment.Constant("permutation" + i, vk.PermutationCommitments[i]), 0, At(l.PermutationEvals + (0x20 * i))));
            }

            return list;
        }

        private sealed record Eval(string Code);

        private sealed record RotationSet(int[] Rotations)
        {
            public List<Commitment> Commitments { get; } = [];

            public List<Eval[]> Evals { get; } = [];
        }
    }

    /// <summary>A commitment the verifier opens: where its coordinates come from, and an identity (halo2 compares by reference).</summary>
    private sealed record Commitment(string Key, string X, string Y, int? Calldata)
    {
        public static Commitment InProof(string key, int cptr) =>
            new(key, $"calldataload({YulWriter.Hex(cptr)})", $"calldataload({YulWriter.Hex(cptr + 0x20)})", cptr);

        public static Commitment Constant(string key, G1Affine point) =>
            new(key, YulWriter.Word(point.X), YulWriter.Word(point.Y), null);

        public static Commitment InMemory(string key, int x, int y) =>
            new(key, $"mload({YulWriter.Hex(x)})", $"mload({YulWriter.Hex(y)})", null);
    }
}
