using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Zkml.Market;

/// <summary>
/// Compiles Solidity with solc-js (the npm <c>solc</c> package the project pins in <c>contracts/</c>) run by Node.js:
/// solc's standard JSON in, ABI and creation and runtime bytecode out. The same source and options always give the
/// same bytes (the metadata hash is left out of the code), so a deployed contract can be checked against its source.
/// </summary>
public sealed partial class SolidityCompiler
{
    // Reads solc's standard JSON on stdin and writes solc's answer (and its version) on stdout.
    private const string Driver =
        "const solc = require(process.argv[1]); let input = '';" +
        "process.stdin.setEncoding('utf8'); process.stdin.on('data', d => input += d);" +
        "process.stdin.on('end', () => process.stdout.write(JSON.stringify({ version: solc.version(), output: JSON.parse(solc.compile(input)) })));";

    private readonly SolidityCompilerOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a compiler.</summary>
    /// <param name="options">Where Node.js and solc-js are, and the compiler settings; null uses the defaults.</param>
    /// <param name="logger">Logs each compilation.</param>
    public SolidityCompiler(SolidityCompilerOptions? options = null, ILogger<SolidityCompiler>? logger = null)
    {
        _options = options ?? new SolidityCompilerOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Compiles one Solidity source file and returns the contract named <paramref name="contractName"/> (or, when it is
    /// null, the last contract with code in the file: the main contract of a generated verifier).
    /// </summary>
    /// <param name="source">The Solidity source (one file; imports are not resolved).</param>
    /// <param name="contractName">The contract to return, or null for the last one with code.</param>
    /// <param name="cancellationToken">Stops the compiler process.</param>
    /// <exception cref="SolidityCompilationException">The source does not compile (solc's messages in
    /// <see cref="SolidityCompilationException.Errors"/>), the contract is not in it, or Node.js or solc-js is missing.</exception>
    public async Task<CompiledContract> CompileAsync(string source, string? contractName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var solc = ResolveSolcModule();
        var input = new JsonObject
        {
            ["language"] = "Solidity",
            ["sources"] = new JsonObject { ["Contract.sol"] = new JsonObject { ["content"] = source } },
            ["settings"] = new JsonObject
            {
                ["evmVersion"] = _options.EvmVersion,
                ["optimizer"] = new JsonObject { ["enabled"] = _options.Optimize, ["runs"] = _options.OptimizerRuns },
                ["metadata"] = new JsonObject { ["bytecodeHash"] = "none" },
                ["outputSelection"] = new JsonObject
                {
                    ["*"] = new JsonObject { ["*"] = new JsonArray("abi", "evm.bytecode.object", "evm.deployedBytecode.object") },
                },
            },
        };

        var stopwatch = Stopwatch.StartNew();
        var answer = await RunNodeAsync(solc, input.ToJsonString(), cancellationToken).ConfigureAwait(false);
        var contract = Select(answer, contractName);
        Log.Compiled(_logger, contract.Name, contract.DeployedBytecode.Length, contract.CompilerVersion, stopwatch.ElapsedMilliseconds);
        return contract;
    }

    /// <summary>The solc-js package folder this compiler uses (see <see cref="SolidityCompilerOptions.SolcModulePath"/>).</summary>
    /// <exception cref="SolidityCompilationException">No solc-js package was found.</exception>
    public string ResolveSolcModule()
    {
        if (_options.SolcModulePath is { } configured)
        {
            return File.Exists(Path.Combine(configured, "package.json"))
                ? Path.GetFullPath(configured)
                : throw Missing($"solc-js was not found at {configured} (SolidityCompilerOptions.SolcModulePath): it must be the folder of the npm 'solc' package.");
        }

        if (Environment.GetEnvironmentVariable("ZKML_SOLC_MODULE") is { Length: > 0 } fromEnvironment)
        {
            return File.Exists(Path.Combine(fromEnvironment, "package.json"))
                ? Path.GetFullPath(fromEnvironment)
                : throw Missing($"solc-js was not found at {fromEnvironment} ($ZKML_SOLC_MODULE): it must be the folder of the npm 'solc' package.");
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "contracts", "node_modules", "solc");
                if (File.Exists(Path.Combine(candidate, "package.json")))
                {
                    return candidate;
                }
            }
        }

        throw Missing("solc-js was not found: set SolidityCompilerOptions.SolcModulePath (or $ZKML_SOLC_MODULE) to the folder of the npm " +
            "'solc' package, or run 'npm ci' in the repository's contracts/ folder (scripts/install.sh does).");
    }

    private async Task<JsonDocument> RunNodeAsync(string solcModule, string input, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_options.NodePath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add(Driver);
        start.ArgumentList.Add(solcModule);

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw Missing($"Node.js could not be started ('{_options.NodePath}'): {e.Message}. Install Node.js 20 or set SolidityCompilerOptions.NodePath.", e);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.StandardInput.WriteAsync(input.AsMemory(), timeout.Token).ConfigureAwait(false);
            process.StandardInput.Close();
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            var output = await stdout.ConfigureAwait(false);
            var errors = await stderr.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                throw new SolidityCompilationException(
                    $"solc-js ({solcModule}) failed with exit code {process.ExitCode}: {FirstLines(errors)}") { IsCompilerMissing = errors.Contains("Cannot find module", StringComparison.Ordinal) };
            }

            try
            {
                return JsonDocument.Parse(output);
            }
            catch (JsonException e)
            {
                throw new SolidityCompilationException("solc-js's answer is not JSON: " + FirstLines(output), null, e);
            }
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new SolidityCompilationException($"solc-js did not finish within {_options.Timeout}.");
        }
    }

    private static CompiledContract Select(JsonDocument answer, string? contractName)
    {
        using (answer)
        {
            var root = answer.RootElement;
            var version = root.GetProperty("version").GetString() ?? "unknown";
            var output = root.GetProperty("output");
            if (output.TryGetProperty("errors", out var problems))
            {
                var errors = problems.EnumerateArray()
                    .Where(p => p.TryGetProperty("severity", out var s) && s.GetString() == "error")
                    .Select(p => (p.TryGetProperty("formattedMessage", out var f) ? f : p.GetProperty("message")).GetString() ?? "")
                    .ToArray();
                if (errors.Length > 0)
                {
                    throw new SolidityCompilationException(
                        $"The Solidity source does not compile (solc {version}): {FirstLines(errors[0])}", errors);
                }
            }

            if (!output.TryGetProperty("contracts", out var files))
            {
                throw new SolidityCompilationException($"solc {version} compiled no contract.");
            }

            CompiledContract? chosen = null;
            var names = new List<string>();
            foreach (var file in files.EnumerateObject())
            {
                foreach (var contract in file.Value.EnumerateObject())
                {
                    var evm = contract.Value.GetProperty("evm");
                    var creation = evm.GetProperty("bytecode").GetProperty("object").GetString() ?? "";
                    if (creation.Length == 0)
                    {
                        continue; // interfaces and abstract contracts
                    }

                    names.Add(contract.Name);
                    if (contractName is null || contract.Name == contractName)
                    {
                        chosen = new CompiledContract(
                            contract.Name,
                            contract.Value.GetProperty("abi").GetRawText(),
                            Convert.FromHexString(creation),
                            Convert.FromHexString(evm.GetProperty("deployedBytecode").GetProperty("object").GetString() ?? ""),
                            version);
                    }
                }
            }

            return chosen ?? throw new SolidityCompilationException(contractName is null
                ? $"The Solidity source has no contract with code (solc {version})."
                : $"The Solidity source has no contract '{contractName}'; it has: {string.Join(", ", names)}.");
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }

    private static SolidityCompilationException Missing(string message, Exception? inner = null) =>
        new(message, null, inner) { IsCompilerMissing = true };

    private static string FirstLines(string text)
    {
        var lines = text.Trim().Split('\n').Take(6);
        return string.Join('\n', lines);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 2100, Level = LogLevel.Information, Message = "Compiled {Contract}: {RuntimeBytes} bytes of runtime code (solc {Version}, {ElapsedMs} ms)")]
        public static partial void Compiled(ILogger logger, string contract, int runtimeBytes, string version, long elapsedMs);
    }
}
