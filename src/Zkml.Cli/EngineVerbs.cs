using System.CommandLine;
using Zkml.Ezkl;
using Zkml.Ezkl.Compilation;

namespace Zkml.Cli;

/// <summary>
/// The verbs that run the ezkl engine, with ezkl's names and flags: gen-witness, setup, prove, verify,
/// encode-evm-calldata.
/// </summary>
internal static class EngineVerbs
{
    public static void AddTo(RootCommand root)
    {
        root.Subcommands.Add(GenWitness());
        root.Subcommands.Add(Setup());
        root.Subcommands.Add(Prove());
        root.Subcommands.Add(Verify());
        root.Subcommands.Add(EncodeEvmCalldata());
    }

    private static Option<FileInfo> CompiledCircuitOption() =>
        Input("--compiled-circuit", "The compiled circuit (network.compiled)", "-M");

    private static Option<FileInfo> SrsOption() => Input("--srs-path", "The KZG SRS; one with a larger k is downsized to the circuit's logrows on the fly");

    private static Command GenWitness()
    {
        var data = Input("--data", "The input data (input.json)", "-D");
        var circuit = CompiledCircuitOption();
        var output = Output("--output", "Where to write the witness", "witness.json", "-O");
        var command = new Command("gen-witness", "Run the circuit on an input and write the witness") { data, circuit, output };
        command.SetAction((parse, ct) => CliRunner.RunAsync(parse, async cli =>
        {
            await using var engine = CreateEngine(cli);
            var witness = await engine.GenerateWitnessAsync(
                await CompiledCircuit.LoadAsync(cli.Get(circuit).FullName, ct), await ModelInput.LoadAsync(cli.Get(data).FullName, ct), ct);
            await witness.SaveAsync(cli.Get(output).FullName, ct);
            Console.WriteLine($"witness written to {cli.Get(output).FullName}");
            return CliRunner.Success;
        }, ct));
        return command;
    }

    private static Command Setup()
    {
        var circuit = CompiledCircuitOption();
        var srs = SrsOption();
        var vkPath = Output("--vk-path", "Where to write the verifying key", "vk.key");
        var pkPath = Output("--pk-path", "Where to write the proving key", "pk.key");
        var noCompression = new Option<bool>("--disable-selector-compression") { Description = "Do not compress selectors (larger keys)" };
        var logrows = new Option<int?>("--logrows") { Description = "The circuit's logrows, to downsize a larger --srs-path (default: read from the compiled circuit)" };
        var command = new Command("setup", "Generate the verifying and proving keys of a circuit") { circuit, srs, vkPath, pkPath, noCompression, logrows };
        command.SetAction((parse, ct) => CliRunner.RunAsync(parse, async cli =>
        {
            var compiled = await CompiledCircuit.LoadAsync(cli.Get(circuit).FullName, ct);
            // Without --logrows, the circuit's own k (from its bincode settings) lets a larger SRS be downsized.
            var k = cli.Get(logrows) ?? (compiled.TryGetLogrows(out var read) ? read : null);
            var parameters = await SrsCommands.LoadForCircuitAsync(cli.Get(srs), k, ct);
            await using var engine = CreateEngine(cli);
            var keys = await cli.WithProgressAsync("setup", async progress =>
            {
                if (!cli.Get(noCompression))
                {
                    return await engine.SetupAsync(compiled, parameters, progress, ct);
                }

                var vk = await engine.GenerateVerifyingKeyAsync(compiled, parameters, compressSelectors: false, ct);
                return new CircuitKeys(vk, await engine.GenerateProvingKeyAsync(vk, compiled, parameters, ct));
            });
            await keys.VerifyingKey.SaveAsync(cli.Get(vkPath).FullName, ct);
            await keys.ProvingKey.SaveAsync(cli.Get(pkPath).FullName, ct);
            Console.WriteLine($"verifying key written to {cli.Get(vkPath).FullName} ({keys.VerifyingKey.Length} bytes)");
            Console.WriteLine($"proving key written to {cli.Get(pkPath).FullName} ({keys.ProvingKey.Length} bytes)");
            return CliRunner.Success;
        }, ct));
        return command;
    }

    private static Command Prove()
    {
        var circuit = CompiledCircuitOption();
        var witness = Input("--witness", "The witness (witness.json)", "-W");
        var pkPath = Input("--pk-path", "The proving key");
        var proofPath = Output("--proof-path", "Where to write the proof", "proof.json");
        var srs = SrsOption();
        var command = new Command("prove", "Prove one inference") { circuit, witness, pkPath, proofPath, srs };
        command.SetAction((parse, ct) => CliRunner.RunAsync(parse, async cli =>
        {
            var compiled = await CompiledCircuit.LoadAsync(cli.Get(circuit).FullName, ct);
            var w = await Witness.LoadAsync(cli.Get(witness).FullName, ct);
            var pk = await ProvingKey.LoadAsync(cli.Get(pkPath).FullName, ct);
            var parameters = await SrsCommands.LoadForCircuitAsync(cli.Get(srs), SrsCommands.LogrowsOfKey(pk), ct);
            await using var engine = CreateEngine(cli);
            var proof = await cli.WithProgressAsync("prove", progress => engine.ProveAsync(w, pk, compiled, parameters, progress, ct).AsTask());
            await proof.SaveAsync(cli.Get(proofPath).FullName, ct);
            Console.WriteLine($"proof written to {cli.Get(proofPath).FullName}");
            return CliRunner.Success;
        }, ct));
        return command;
    }

    private static Command Verify()
    {
        var proofPath = Input("--proof-path", "The proof (proof.json)");
        var settingsPath = Input("--settings-path", "The circuit settings (settings.json)", "-S");
        var vkPath = Input("--vk-path", "The verifying key");
        var srs = SrsOption();
        var command = new Command("verify", "Verify a proof: exit 0 when valid, 1 when invalid, 2 on error") { proofPath, settingsPath, vkPath, srs };
        command.SetAction((parse, ct) => CliRunner.RunAsync(parse, async cli =>
        {
            var proof = await Proof.LoadAsync(cli.Get(proofPath).FullName, ct);
            var settings = await CircuitSettings.LoadAsync(cli.Get(settingsPath).FullName, ct);
            var vk = await VerifyingKey.LoadAsync(cli.Get(vkPath).FullName, ct);
            var parameters = await SrsCommands.LoadForCircuitAsync(cli.Get(srs), settings.RunArgs.Logrows, ct);
            await using var engine = CreateEngine(cli);
            var result = await engine.VerifyAsync(proof, vk, settings, parameters, ct);
            if (result.IsValid)
            {
                Console.WriteLine("verified: true");
                return CliRunner.Success;
            }

            Console.WriteLine("verified: false");
            await Console.Error.WriteLineAsync("zkml: proof is invalid: " + result.Reason);
            return CliRunner.Negative;
        }, ct));
        return command;
    }

    private static Command EncodeEvmCalldata()
    {
        var proofPath = Input("--proof-path", "The proof (proof.json)");
        var calldataPath = Output("--calldata-path", "Where to write the calldata (raw bytes)", "calldata.bytes");
        var vkAddress = new Option<string?>("--addr-vk") { Description = "Address (0x + 40 hex) of a separate verifying-key contract, if any" };
        var command = new Command("encode-evm-calldata", "Encode a proof as calldata for an EVM verifier's verifyProof") { proofPath, calldataPath, vkAddress };
        command.SetAction((parse, ct) => CliRunner.RunAsync(parse, async cli =>
        {
            var proof = await Proof.LoadAsync(cli.Get(proofPath).FullName, ct);
            ReadOnlyMemory<byte>? address = null;
            if (cli.Get(vkAddress) is { } hex)
            {
                var digits = hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex;
                if (digits.Length != 40 || !digits.All(char.IsAsciiHexDigit))
                {
                    throw new ArgumentException($"--addr-vk '{hex}' is not an address (0x + 40 hex digits)");
                }

                address = Convert.FromHexString(digits);
            }

            await using var engine = CreateEngine(cli);
            var calldata = await engine.EncodeEvmCalldataAsync(proof, address, ct);
            await File.WriteAllBytesAsync(cli.Get(calldataPath).FullName, calldata, ct);
            Console.WriteLine($"calldata written to {cli.Get(calldataPath).FullName} ({calldata.Length} bytes)");
            return CliRunner.Success;
        }, ct));
        return command;
    }

    private static EzklEngine CreateEngine(CliContext cli) =>
        new(new EzklEngineOptions { MaxInstances = 1 }, cli.LoggerFactory);

    private static Option<FileInfo> Input(string name, string description, params string[] aliases) =>
        new Option<FileInfo>(name, aliases) { Description = description, Required = true }.AcceptExistingOnly();

    private static Option<FileInfo> Output(string name, string description, string defaultPath, params string[] aliases) =>
        new(name, aliases) { Description = description + $" (default {defaultPath})", DefaultValueFactory = _ => new FileInfo(defaultPath) };
}
