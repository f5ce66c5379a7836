using CsCheck;

namespace Zkml.Properties.Tests;

/// <summary>
/// Runs a CsCheck generator from a fixed seed, one case after another, so every run tries the same inputs and a
/// failure names the case (seed and index) and its input. Single-threaded: the suite shares 2 cores.
/// </summary>
internal static class Property
{
    /// <summary>Cases per property: enough to hit the parsers' branches, small enough for a loaded 2-core machine.</summary>
    public const int Cases = 300;

    /// <summary>No parser may allocate more than this for one input of at most a few hundred KiB.</summary>
    private const long AllocationBudget = 256L << 20;

    public static void ForAll<T>(Gen<T> gen, ulong seed, Action<T> check, Func<T, string>? describe = null, int cases = Cases)
    {
        var pcg = new PCG(1, seed);
        for (var i = 0; i < cases; i++)
        {
            var value = gen.Generate(pcg, null, out _);
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                check(value);
            }
            catch (Exception e)
            {
                throw new PropertyFailedException(
                    $"seed {seed}, case {i}: {e.GetType().Name}: {e.Message}\ninput: {Describe(value, describe)}", e);
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > AllocationBudget)
            {
                throw new PropertyFailedException(
                    $"seed {seed}, case {i}: allocated {allocated} bytes\ninput: {Describe(value, describe)}", null);
            }
        }
    }

    /// <summary>Calls <paramref name="parse"/> and lets only <typeparamref name="TAllowed"/> escape.</summary>
    public static void OnlyTyped<TAllowed>(Action parse)
        where TAllowed : Exception
    {
        try
        {
            parse();
        }
        catch (TAllowed)
        {
            // The typed error a caller handles: fine.
        }
    }

    private static string Describe<T>(T value, Func<T, string>? describe)
    {
        if (describe is not null)
        {
            return describe(value);
        }

        var text = value is byte[] bytes ? Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 4096))) : value?.ToString() ?? "null";
        return text.Length > 8192 ? text[..8192] + "..." : text;
    }
}

/// <summary>A property failed on a named case.</summary>
public sealed class PropertyFailedException(string message, Exception? inner) : Exception(message, inner);
