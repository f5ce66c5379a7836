using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Zkml.Ezkl;
using Zkml.TestSupport;

namespace Zkml.Benchmarks;

/// <summary>
/// The .NET half of benchmarks/side-by-side/run.sh: the same steps as node-steps.js on the same fixtures, timed the
/// same way (warm-up, then the median of N runs), printed as one JSON object.
/// <c>steps</c>: steady-state medians; <c>first-proof</c>: load the engine (module from the disk cache) and prove
/// once in this fresh process; <c>throughput N</c>: proves per second with N instances proving at once.
/// </summary>
public static class SideBySide
{
    public static async Task<int> RunAsync(string[] args)
    {
        var mode = args[0];
        var instances = mode == "throughput" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1;

        // As a prover app would, start loading the engine (module from the disk cache, one instance: thread-pool work)
        // and read the artifacts meanwhile. Every mode proves, so each reads what a prover reads; the rest only the
        // mode that uses it reads: a prover never parses settings, a verifying key or a proof.
        await using var engine = new EzklEngine(new EzklEngineOptions { MaxInstances = instances });
        var warmUp = engine.WarmUpAsync();
        var circuit = CompiledCircuit.Load(TestPaths.Fixture("model.compiled"));
        var input = ModelInput.Load(TestPaths.Fixture("input.json"));
        var srs = Srs.Load(TestPaths.Fixture("kzg"));
        var pk = ProvingKey.Load(TestPaths.Fixture("pk.key"));
        await warmUp;
        var n = int.Parse(Environment.GetEnvironmentVariable("N") ?? "7", System.Globalization.CultureInfo.InvariantCulture);
        var warm = int.Parse(Environment.GetEnvironmentVariable("WARM") ?? "2", System.Globalization.CultureInfo.InvariantCulture);
        var results = new Dictionary<string, double>();

        switch (mode)
        {
            case "first-proof":
            {
                var witness = await engine.GenerateWitnessAsync(circuit, input);
                var proof = await engine.ProveAsync(witness, pk, circuit, srs);
                results["proof_bytes"] = proof.Length;
                results["peak_rss_mb"] = PeakRssMegabytes();
                break;
            }

            case "prove-memory":
            {
                // A prover that keeps running: four proves in one process, peak resident memory measured outside.
                var witness = await engine.GenerateWitnessAsync(circuit, input);
                for (var i = 0; i < 4; i++)
                {
                    await engine.ProveAsync(witness, pk, circuit, srs);
                }

                results["peak_rss_mb"] = PeakRssMegabytes();
                break;
            }

            case "steps":
            {
                var settings = CircuitSettings.Load(TestPaths.Fixture("settings.json"));
                var vk = VerifyingKey.Load(TestPaths.Fixture("vk.key"));
                var proofFixture = Proof.Load(TestPaths.Fixture("proof.json"));
                var witness = await engine.GenerateWitnessAsync(circuit, input);
                var proof = await engine.ProveAsync(witness, pk, circuit, srs);
                await MeasureAsync(results, "genWitness", n, warm, () => engine.GenerateWitnessAsync(circuit, input).AsTask());
                await MeasureAsync(results, "genVk", 5, 1, () => engine.GenerateVerifyingKeyAsync(circuit, srs).AsTask());
                await MeasureAsync(results, "genPk", 5, 1, () => engine.GenerateProvingKeyAsync(vk, circuit, srs).AsTask());
                results["setup"] = results["genVk"] + results["genPk"];
                results["setup_cpu"] = results["genVk_cpu"] + results["genPk_cpu"];
                await MeasureAsync(results, "prove", n, warm, () => engine.ProveAsync(witness, pk, circuit, srs).AsTask());
                await MeasureAsync(results, "verify", n, warm, () => engine.VerifyAsync(proofFixture, vk, settings, srs).AsTask());
                var message = new[] { Felt.FromSignedInteger(1), Felt.FromSignedInteger(2) };
                await MeasureAsync(results, "poseidonHash2", 200, 20, () => engine.PoseidonHashAsync(message).AsTask());
                break;
            }

            case "throughput":
            {
                var perInstance = int.Parse(Environment.GetEnvironmentVariable("PROVES") ?? "6", System.Globalization.CultureInfo.InvariantCulture);
                var witness = await engine.GenerateWitnessAsync(circuit, input);
                // Warm every instance, then time perInstance proves per instance, all instances at once.
                await Task.WhenAll(Enumerable.Range(0, instances).Select(_ => engine.ProveAsync(witness, pk, circuit, srs).AsTask()));
                using var process = Process.GetCurrentProcess();
                var cpuBefore = process.TotalProcessorTime;
                var stopwatch = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, instances).Select(async _ =>
                {
                    for (var i = 0; i < perInstance; i++)
                    {
                        await engine.ProveAsync(witness, pk, circuit, srs);
                    }
                }));
                results["proves_per_second"] = instances * perInstance / stopwatch.Elapsed.TotalSeconds;
                process.Refresh();
                results["cores_busy"] = (process.TotalProcessorTime - cpuBefore).TotalSeconds / stopwatch.Elapsed.TotalSeconds;
                results["instances"] = instances;
                break;
            }

            default:
                Console.Error.WriteLine("modes: steps | first-proof | prove-memory | throughput N");
                return 2;
        }

        Console.WriteLine(ToJson(results));
        return 0;
    }

    // Written by hand: reflection-based JsonSerializer costs a fresh process ~15 ms of start-up (first-proof is timed).
    private static string ToJson(Dictionary<string, double> results)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in results)
            {
                writer.WriteNumber(key, value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Median wall time (key) and median process CPU time (key_cpu) of a step, in ms, after warm-up runs.</summary>
    private static async Task MeasureAsync<T>(Dictionary<string, double> results, string key, int n, int warm, Func<Task<T>> step)
    {
        for (var i = 0; i < warm; i++)
        {
            await step();
        }

        var wall = new double[n];
        var cpu = new double[n];
        using var process = Process.GetCurrentProcess();
        for (var i = 0; i < n; i++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var stopwatch = Stopwatch.StartNew();
            await step();
            wall[i] = stopwatch.Elapsed.TotalMilliseconds;
            process.Refresh();
            cpu[i] = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        }

        results[key] = Median(wall);
        results[key + "_cpu"] = Median(cpu);
    }

    private static double Median(double[] values)
    {
        Array.Sort(values);
        var n = values.Length;
        return n % 2 == 1 ? values[n / 2] : (values[(n / 2) - 1] + values[n / 2]) / 2;
    }

    // VmHWM: the process's peak resident set, the same quantity as Node's resourceUsage().maxRSS.
    private static double PeakRssMegabytes() => Rss("VmHWM:");

    private static double Rss(string field)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }
}
