namespace Zkml.Ezkl.Evm;

internal static partial class EvmVerifierGenerator
{
    private sealed partial class Writer
    {
        /// <summary>
        /// The quotient's numerator at x, folded with y in halo2's order (every gate polynomial, the permutation
        /// argument, the mv-lookups), divided by x^n − 1.
        /// </summary>
        private List<string> QuotientLines(ExpressionCompiler compiler)
        {
            compiler.Prepare(_vk.Gates.Concat(_vk.Lookups.SelectMany(l => l.TableExpressions.Concat(l.InputsExpressions.SelectMany(i => i)))));
            var lines = new List<string> { "let numer := 0", $"let y := mload({H(Y)})" };
            var first = true;
            void Fold(string value)
            {
                lines.Add(first ? $"numer := {value}" : $"numer := addmod(mulmod(numer, y, r), {value}, r)");
                first = false;
            }

            foreach (var gate in _vk.Gates)
            {
                Fold(compiler.Compile(gate, lines));
            }

            PermutationLines(lines, Fold);
            LookupLines(compiler, lines, Fold);
            lines.Add($"mstore({H(QuotientEval)}, mulmod(numer, mload({H(XnMinusOneInverse)}), r))");
            return lines;
        }

        private string ColumnEval(PinnedColumn column) => column.Kind == ColumnKind.Instance
            ? $"mload({H(InstanceEval)})"
            : $"calldataload({H(Layout.QueryEval(column.Kind, column.Index, 0))})";

        private void PermutationLines(List<string> lines, Action<string> fold)
        {
            var l = Layout;
            string Z(int set, int which) => $"calldataload({H(l.PermutationZEval(set, which))})";
            var lastSet = l.NumPermutationZs - 1;

            // l_0·(1 − z_0(x)) and l_last·(z_last(x)² − z_last(x))
            fold($"mulmod(mload({H(L0)}), addmod(1, sub(r, {Z(0, 0)}), r), r)");
            fold($"mulmod(mload({H(LLast)}), addmod(mulmod({Z(lastSet, 0)}, {Z(lastSet, 0)}, r), sub(r, {Z(lastSet, 0)}), r), r)");

            // l_0·(z_i(x) − z_{i−1}(ω^last·x)) links consecutive sets
            for (var set = 1; set < l.NumPermutationZs; set++)
            {
                fold($"mulmod(mload({H(L0)}), addmod({Z(set, 0)}, sub(r, {Z(set - 1, 2)}), r), r)");
            }

            // (1 − l_last − l_blind)·(z(ωx)·Π(v + β·s + γ) − z(x)·Π(v + β·δ^j·x + γ))
            lines.Add($"mstore({H(DeltaX)}, mulmod(mload({H(Beta)}), mload({H(X)}), r))");
            var column = 0;
            for (var set = 0; set < l.NumPermutationZs; set++)
            {
                lines.Add("{");
                lines.Add($"    let lhs := {Z(set, 1)}");
                lines.Add($"    let rhs := {Z(set, 0)}");
                var end = Math.Min(l.PermutationColumns.Count, column + l.PermutationChunkLength);
                for (; column < end; column++)
                {
                    var eval = ColumnEval(l.PermutationColumns[column]);
                    lines.Add($"    lhs, rhs := permutation_column(lhs, rhs, {eval}, {H(l.PermutationEvals + (0x20 * column))})");
                }

                lines.Add($"    numer := addmod(mulmod(numer, y, r), mulmod(mload({H(LActive)}), addmod(lhs, sub(r, rhs), r), r), r)");
                lines.Add("}");
            }
        }

        /// <summary>
        /// mv-lookup (logUp) per argument: l_0·φ(x), l_last·φ(x), and with τ = t + β, f_i = input_i + β (each a
        /// θ-compressed tuple): (1 − l_last − l_blind)·(τ·Πf·(φ(ωx) − φ(x)) − (τ·Σ_i Π_{j≠i} f_j − m·Πf)).
        /// </summary>
        private void LookupLines(ExpressionCompiler compiler, List<string> lines, Action<string> fold)
        {
            var l = Layout;
            for (var index = 0; index < _vk.Lookups.Count; index++)
            {
                var lookup = _vk.Lookups[index];
                var phi = $"calldataload({H(l.LookupEval(index, 0))})";
                var phiNext = $"calldataload({H(l.LookupEval(index, 1))})";
                var m = $"calldataload({H(l.LookupEval(index, 2))})";
                Compress(compiler, lines, lookup.TableExpressions, LookupValues);
                for (var i = 0; i < lookup.InputsExpressions.Count; i++)
                {
                    Compress(compiler, lines, lookup.InputsExpressions[i], LookupValues + (0x20 * (i + 1)));
                }

                string Value(int slot) => $"mload({H(LookupValues + (0x20 * slot))})";
                var count = lookup.InputsExpressions.Count;
                if (count == 1)
                {
                    // The common case (one input: Πf = f, Σ_i Π_{j≠i} f_j = 1) shares one function: less code.
                    lines.Add($"numer := lookup_argument(numer, y, {Value(0)}, {Value(1)}, {H(l.LookupEval(index, 0))})");
                    continue;
                }

                fold($"mulmod(mload({H(L0)}), {phi}, r)");
                fold($"mulmod(mload({H(LLast)}), {phi}, r)");
                lines.Add("{");
                lines.Add("    let prod := 1");
                for (var i = 0; i < count; i++)
                {
                    lines.Add($"    prod := mulmod(prod, {Value(i + 1)}, r)");
                }

                lines.Add("    let sum := 0");
                for (var i = 0; i < count; i++)
                {
                    // Products as statements, never as deep nested calls: the stack stays shallow for any input count.
                    lines.Add("    {");
                    lines.Add("        let t := 1");
                    foreach (var j in Enumerable.Range(0, count).Where(j => j != i))
                    {
                        lines.Add($"        t := mulmod(t, {Value(j + 1)}, r)");
                    }

                    lines.Add("        sum := addmod(sum, t, r)");
                    lines.Add("    }");
                }

                lines.Add($"    let lhs := mulmod(mulmod({Value(0)}, prod, r), addmod({phiNext}, sub(r, {phi}), r), r)");
                lines.Add($"    let rhs := addmod(mulmod({Value(0)}, sum, r), sub(r, mulmod({m}, prod, r)), r)");
                lines.Add($"    numer := addmod(mulmod(numer, y, r), mulmod(mload({H(LActive)}), addmod(lhs, sub(r, rhs), r), r), r)");
                lines.Add("}");
            }
        }

        /// <summary>Stores θ-compressed expressions plus β: ((e_0·θ + e_1)·θ + …) + β.</summary>
        private void Compress(ExpressionCompiler compiler, List<string> lines, IReadOnlyList<PinnedExpression> expressions, int slot)
        {
            var beta = $"mload({H(Beta)})";
            for (var i = 0; i < expressions.Count; i++)
            {
                var value = compiler.Compile(expressions[i], lines);
                var folded = i == 0 ? value : $"addmod(mulmod(mload({H(slot)}), mload({H(Theta)}), r), {value}, r)";
                lines.Add(i == expressions.Count - 1
                    ? $"mstore({H(slot)}, addmod({folded}, {beta}, r))"
                    : $"mstore({H(slot)}, {folded})");
            }
        }
    }
}
