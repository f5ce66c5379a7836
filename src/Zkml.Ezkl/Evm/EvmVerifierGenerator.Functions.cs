namespace Zkml.Ezkl.Evm;

internal static partial class EvmVerifierGenerator
{
    private sealed partial class Writer
    {
        /// <summary>
        /// The Yul helpers: point and scalar checks of proof data, the keccak transcript's squeezes, one batch
        /// inversion (modexp), the elliptic-curve precompiles on two scratch points, and the two argument pieces
        /// shared by every permutation column and every one-input lookup.
        /// </summary>
        private void WriteFunctions(YulWriter w)
        {
            // One column of the permutation argument: lhs·(v + β·σ + γ), rhs·(v + β·δ^j·x + γ), then δ^(j+1).
            w.Block("function permutation_column(lhs, rhs, eval, sigma_cptr) -> lhs_out, rhs_out", () =>
            {
                w.Line("let r := R");
                w.Line($"let gamma := mload({H(Gamma)})");
                w.Line($"lhs_out := mulmod(lhs, addmod(addmod(eval, mulmod(mload({H(Beta)}), calldataload(sigma_cptr), r), r), gamma, r), r)");
                w.Line($"rhs_out := mulmod(rhs, addmod(addmod(eval, mload({H(DeltaX)}), r), gamma, r), r)");
                w.Line($"mstore({H(DeltaX)}, mulmod(mload({H(DeltaX)}), {W(Delta)}, r))");
            });

            // One mv-lookup with one input, folded into the numerator: l_0·φ, l_last·φ, then
            // (1 − l_last − l_blind)·(τ·f·(φ(ωx) − φ(x)) − (τ − m·f)). cptr points at φ(x), φ(ωx), m(x).
            w.Block("function lookup_argument(numer, y, table, f, cptr) -> ret", () =>
            {
                w.Line("let r := R");
                w.Line("let phi := calldataload(cptr)");
                w.Line($"ret := addmod(mulmod(numer, y, r), mulmod(mload({H(L0)}), phi, r), r)");
                w.Line($"ret := addmod(mulmod(ret, y, r), mulmod(mload({H(LLast)}), phi, r), r)");
                w.Line("let lhs := mulmod(mulmod(table, f, r), addmod(calldataload(add(cptr, 0x20)), sub(r, phi), r), r)");
                w.Line("let rhs := addmod(table, sub(r, mulmod(calldataload(add(cptr, 0x40)), f, r)), r)");
                w.Line($"ret := addmod(mulmod(ret, y, r), mulmod(mload({H(LActive)}), addmod(lhs, sub(r, rhs), r), r), r)");
            });

            w.Block("function check_points(ok, cptr, end) -> ret", () =>
            {
                w.Line("ret := ok");
                w.Block("for {} lt(cptr, end) { cptr := add(cptr, 0x40) }", () =>
                {
                    w.Line("let x := calldataload(cptr)");
                    w.Line("let y := calldataload(add(cptr, 0x20))");
                    w.Line("ret := and(ret, and(lt(x, Q), lt(y, Q)))");
                    w.Line("ret := and(ret, eq(mulmod(y, y, Q), addmod(mulmod(x, mulmod(x, x, Q), Q), 3, Q)))");
                });
            });
            w.Block("function check_scalars(ok, cptr, end) -> ret", () =>
            {
                w.Line("ret := ok");
                w.Block("for {} lt(cptr, end) { cptr := add(cptr, 0x20) }", () => w.Line("ret := and(ret, lt(calldataload(cptr), R))"));
            });
            w.Block("function squeeze(buffer, len, challenge)", () =>
            {
                w.Line("let h := keccak256(buffer, len)");
                w.Line("mstore(buffer, h)");
                w.Line("mstore(challenge, mod(h, R))");
            });
            w.Block("function squeeze_again(buffer, challenge)", () =>
            {
                w.Line("mstore8(add(buffer, 0x20), 1)");
                w.Line("let h := keccak256(buffer, 0x21)");
                w.Line("mstore(buffer, h)");
                w.Line("mstore(challenge, mod(h, R))");
            });
            w.Block("function batch_invert(ok, start, end, prefix) -> ret", () =>
            {
                w.Line("let acc := 1");
                w.Line("let s := prefix");
                w.Block("for { let p := start } lt(p, end) { p := add(p, 0x20) }", () =>
                {
                    w.Line("mstore(s, acc)");
                    w.Line("acc := mulmod(acc, mload(p), R)");
                    w.Line("s := add(s, 0x20)");
                });
                w.Line("mstore(s, 0x20)");
                w.Line("mstore(add(s, 0x20), 0x20)");
                w.Line("mstore(add(s, 0x40), 0x20)");
                w.Line("mstore(add(s, 0x60), acc)");
                w.Line("mstore(add(s, 0x80), sub(R, 2))");
                w.Line("mstore(add(s, 0xa0), R)");
                w.Line("ret := and(and(ok, gt(acc, 0)), staticcall(gas(), 0x05, s, 0xc0, s, 0x20))");
                w.Line("let inv := mload(s)");
                w.Block("for { let p := end } gt(p, start) {}", () =>
                {
                    w.Line("p := sub(p, 0x20)");
                    w.Line("s := sub(s, 0x20)");
                    w.Line("let v := mload(p)");
                    w.Line("mstore(p, mulmod(inv, mload(s), R))");
                    w.Line("inv := mulmod(inv, v, R)");
                });
            });
            w.Block("function ec_add_acc(ok, x, y) -> ret", () =>
            {
                w.Line("mstore(0x40, x)");
                w.Line("mstore(0x60, y)");
                w.Line("ret := and(ok, staticcall(gas(), 0x06, 0x00, 0x80, 0x00, 0x40))");
            });
            w.Block("function ec_mul_acc(ok, scalar) -> ret", () =>
            {
                w.Line("mstore(0x40, scalar)");
                w.Line("ret := and(ok, staticcall(gas(), 0x07, 0x00, 0x60, 0x00, 0x40))");
            });
            w.Block("function ec_add_tmp(ok, x, y) -> ret", () =>
            {
                w.Line("mstore(0xc0, x)");
                w.Line("mstore(0xe0, y)");
                w.Line("ret := and(ok, staticcall(gas(), 0x06, 0x80, 0x80, 0x80, 0x40))");
            });
            w.Block("function ec_mul_tmp(ok, scalar) -> ret", () =>
            {
                w.Line("mstore(0xc0, scalar)");
                w.Line("ret := and(ok, staticcall(gas(), 0x07, 0x80, 0x60, 0x80, 0x40))");
            });
        }
    }
}
