using BenchmarkDotNet.Running;

namespace Zkml.Benchmarks;

/// <summary>Runs the benchmarks: <c>dotnet run -c Release --project benchmarks/Zkml.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    /// <summary>Entry point; arguments go to BenchmarkDotNet's switcher, except the side-by-side modes.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] is "steps" or "first-proof" or "prove-memory" or "throughput")
        {
            return await SideBySide.RunAsync(args);
        }

        return RunBenchmarkDotNet(args);
    }

    // Kept out of Main so the side-by-side modes never load BenchmarkDotNet (it would inflate their memory).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int RunBenchmarkDotNet(string[] args)
    {
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
