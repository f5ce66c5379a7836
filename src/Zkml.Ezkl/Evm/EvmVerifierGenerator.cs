using System.Diagnostics;
using System.Numerics;
using Zkml.Ezkl.Bn254;

namespace Zkml.Ezkl.Evm;

/// <summary>
/// Writes the Solidity verifier of a Halo2 (KZG, BN254) proof made by ezkl 21: the semantics of
/// halo2-solidity-verifier's <c>render()</c> with mv-lookup (logUp) arguments, the SHPLONK (BDFG21) multi-open and
/// the EVM keccak transcript, in a template of its own. Deterministic: the same key, SRS and instance count give
/// the same source, byte for byte.
/// </summary>
internal static partial class EvmVerifierGenerator
{
    public const string ContractName = "Halo2Verifier";

    public const string Abi =
        """[{"inputs":[{"internalType":"bytes","name":"proof","type":"bytes"},{"internalType":"uint256[]","name":"instances","type":"uint256[]"}],"name":"verifyProof","outputs":[{"internalType":"bool","name":"","type":"bool"}],"stateMutability":"view","type":"function"}]""";

    /// <summary>halo2's δ, the generator of the coset cosets the permutation argument separates columns with.</summary>
    internal static readonly BigInteger Delta =
        BigInteger.Parse("4131629893567559867359510883348571134090853742863529169391034518566172092834", System.Globalization.CultureInfo.InvariantCulture);

    private static BigInteger R => PinnedVerifyingKey.ScalarModulus;

    /// <summary>Generates the verifier.</summary>
    /// <param name="vk">The pinned verifying key (the circuit's constraint system and commitments).</param>
    /// <param name="srs">The KZG parameters the key was made with (only g[0], g2 and s·g2 are used).</param>
    /// <param name="numInstances">How many public instances a proof carries (Σ Π model instance shapes + module instances).</param>
    /// <exception cref="EvmVerifierException">The circuit uses a feature the verifier does not support, or the inputs do not fit.</exception>
    public static EvmVerifier Generate(PinnedVerifyingKey vk, Srs srs, int numInstances)
    {
        ArgumentNullException.ThrowIfNull(vk);
        ArgumentNullException.ThrowIfNull(srs);
        var started = Stopwatch.GetTimestamp();
        var layout = new EvmCircuitLayout(vk, numInstances);
        var points = SrsPoints.Read(srs);
        var source = new Writer(vk, layout, points).Write();
        return new EvmVerifier(
            ContractName,
            source,
            Abi,
            vk.Digest,
            layout.ProofLength,
            numInstances,
            Stopwatch.GetElapsedTime(started));
    }

    private static string H(int value) => YulWriter.Hex(value);

    private static string W(BigInteger value) => YulWriter.Word(value);

    private static BigInteger Pow(BigInteger value, BigInteger exponent) => BigInteger.ModPow(value, exponent, R);

    private static BigInteger Inverse(BigInteger value) => BigInteger.ModPow(value, R - 2, R);

    private static BigInteger Mod(BigInteger value)
    {
        var m = value % R;
        return m.Sign < 0 ? m + R : m;
    }

    /// <summary>The SRS points the verifier embeds: g[0], g2 and −s·g2 (G2 words in EIP-197 order x.c1, x.c0, y.c1, y.c0).</summary>
    private sealed record SrsPoints(BigInteger G1X, BigInteger G1Y, BigInteger[] G2, BigInteger[] NegSG2)
    {
        public static SrsPoints Read(Srs srs)
        {
            var bytes = srs.RawBytes.AsSpan();
            var g2Offset = (int)SrsFormat.G2Offset(srs.Logrows);
            if (!SrsFormat.TryReadG1(bytes[SrsFormat.HeaderLength..], out var g1)
                || !SrsFormat.TryReadG2(bytes[g2Offset..], out var g2)
                || !SrsFormat.TryReadG2(bytes[(g2Offset + SrsFormat.G2Length)..], out var sG2))
            {
                throw new EvmVerifierException(EvmVerifierFailure.InvalidInput, "The SRS has a coordinate that is not below the base field modulus.");
            }

            if (g1.IsInfinity || g2.IsInfinity || sG2.IsInfinity)
            {
                throw new EvmVerifierException(EvmVerifierFailure.InvalidInput, "The SRS has the point at infinity where g[0], g2 or s·g2 belongs.");
            }

            var neg = sG2.Negate();
            return new SrsPoints(
                g1.X.ToBigInteger(),
                g1.Y.ToBigInteger(),
                [g2.X.C1.ToBigInteger(), g2.X.C0.ToBigInteger(), g2.Y.C1.ToBigInteger(), g2.Y.C0.ToBigInteger()],
                [neg.X.C1.ToBigInteger(), neg.X.C0.ToBigInteger(), neg.Y.C1.ToBigInteger(), neg.Y.C0.ToBigInteger()]);
        }
    }
}
