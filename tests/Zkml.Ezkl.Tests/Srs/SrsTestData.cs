using Zkml.Ezkl.Bn254;
using Zkml.TestSupport;
using Fr = Zkml.Ezkl.Bn254.Fp<Zkml.Ezkl.Bn254.FrModulus>;

namespace Zkml.Ezkl.Tests.SrsTests;

/// <summary>Shared inputs of the SRS tests: the fixture files and SRS built from known taus.</summary>
internal static class SrsTestData
{
    public static string FixtureKzg => TestPaths.Fixture("kzg");

    public static string FixtureKzg1 => TestPaths.Fixture("kzg1.srs");

    /// <summary>An SRS from a fixed tau (deterministic, so two sizes can be compared).</summary>
    public static Task<byte[]> FromTauAsync(int logrows, ulong tau, ulong rootGenerator = Curves.FrMultiplicativeGenerator) =>
        KzgSrs.GenerateBytesAsync(logrows, Fr.FromUInt64(tau), rootGenerator, progress: null, CancellationToken.None);

    /// <summary>A private copy of bytes with one byte changed.</summary>
    public static byte[] WithByteChanged(byte[] bytes, long offset, byte xor = 0x01)
    {
        byte[] copy = (byte[])bytes.Clone();
        copy[offset] ^= xor;
        return copy;
    }
}
