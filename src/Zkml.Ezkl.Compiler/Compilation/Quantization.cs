using System.Numerics;

namespace Zkml.Ezkl.Compilation;

/// <summary>ezkl 21's fixed-point rules: <c>q = round(2^scale · x)</c> with Rust's rounding (half away from zero).</summary>
internal static class Quantization
{
    public static double Multiplier(int scale) => Math.Pow(2, scale);

    /// <summary>Quantizes one f32 value (given as the double it widens to) at a scale.</summary>
    public static BigInteger Quantize(double value, int scale)
    {
        if (double.IsNaN(value))
        {
            return BigInteger.Zero;
        }

        var scaled = Multiplier(scale) * value;
        if (double.IsInfinity(scaled) || Math.Abs(scaled) > (double)Int128.MaxValue)
        {
            throw new EzklCompilationException($"value {value} does not fit in a 128-bit integer at scale {scale}");
        }

        return new BigInteger(Math.Round(scaled, MidpointRounding.AwayFromZero));
    }

    public static double Dequantize(BigInteger value, int scale) => (double)value / Multiplier(scale);
}
