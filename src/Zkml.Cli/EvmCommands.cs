using System.CommandLine;
using Zkml.Ezkl;
using Zkml.Market;

namespace Zkml.Cli;

/// <summary>
/// The on-chain verifier verbs, with ezkl's names and flags: create-evm-verifier, deploy-evm, verify-evm; and
/// verify-deployed, which checks that the code at an address is the verifier of a verifying key.
/// </summary>
internal static class EvmCommands
{
    /// <summary>anvil's first dev account (public test mnemonic): used only on chain 31337 when no key is given.</summary>
    private const string AnvilDevKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    private const long AnvilChainId = 31337;

    public static void AddTo(RootCommand root)
    {
        root.Subcommands.Add(CreateEvmVerifier());
        root.Subcommands.Add(DeployEvm());
        root.Subcommands.Add(VerifyEvm());
        root.Subcommands.Add(VerifyDeployed());
    }

    private static Command CreateEvmVerifier()
    {
        var vkPath = Input("--vk-path", "The verifying key (vk.key)");
        var srsPath = Input("--srs-path", "The KZG SRS (a larger k is downsized to the settings' logrows)");
        var settingsPath = Input("--settings-path", "The circuit settings (settings.json)", "-S");
        var solPath = Output("--sol-code-path", "Where to write the Solidity verifier", "evm_deploy.sol");
        var abiPath = Output("--abi-path", "Where to write the verifier's ABI", "verifier_abi.json");
        var command = new Command("create-evm-verifier", "Generate the Halo2 Solidity verifier of a verifying key")
        {
            vkPath, srsPath, settingsPath, solPath, abiPath,
        };
        command.SetAction((parse, ct) => CliRunner.RunAsync(parse, async cli =>
        {
            var verifier = await GenerateAsync(cli, vkPath, srsPath, settingsPath);
            await File.WriteAllTextAsync(cli.Get(solPath).FullName, verifier.SoliditySource, ct);
            await File.WriteAllTextAsync(cli.Get(abiPath).FullName, verifier.Abi, ct);
            Console.WriteLine($"verifier {verifier.ContractName} written to {cli.Get(solPath).FullName} ({verifier.SoliditySource.Length:N0} characters; " +
                $"{verifier.NumInstances} instances, proofs of {verifier.ProofLength:N0} bytes; generated in {verifier.GenerationTime.TotalMilliseconds:0} ms)");
            Console.WriteLine($"ABI written to {cli.Get(abiPath).FullName}");
            return CliRunner.Success;
        }, ct));
        return command;
    }

    private static Command DeployEvm()
    {
        var solPath = Input("--sol-code-path", "The Solidity verifier to compile and deploy");
        var rpcUrl = RpcUrl();
        var privateKey = new Option<string?>("--private-key")
        {
            Description = "The deployer's private key (0x + 64 hex). Required except on an anvil dev chain (chain id 31337), where anvil's first dev account is used",
        };
        var addrPath = Output("--addr-path", "Where to write the deployed address", "addr.txt");
        var contractName = new Option<string?>("--contract-name") { Description = "The contract to deploy (default: the last contract in the file)" };
        var command = new Command("deploy-evm", "Compile a Solidity verifier with the pinned solc-js and deploy it") { solPath, rpcUrl, privateKey, addrPath, contractName };
        command.SetAction((parse, ct) => CliRunner.RunAsync(parse, async cli =>
        {
            var source = await File.ReadAllTextAsync(cli.Get(solPath).FullName, ct);
            var compiled = await new SolidityCompiler().CompileAsync(source, cli.Get(contractName), ct);
            Console.WriteLine($"compiled {compiled.Name} (solc {compiled.CompilerVersion}): {compiled.RuntimeCodeSize:N0} bytes of runtime code" +
                (compiled.FitsCodeSizeLimit ? "" : $", over EIP-170's {CompiledContract.MaxRuntimeCodeSize:N0}: only a chain with a lifted code-size limit accepts it"));
            using var rpc = new EthereumRpcClient(ParseUrl(cli.Get(rpcUrl)));
            var sender = new TransactionSender(rpc, await DeployerKeyAsync(rpc, cli.Get(privateKey), ct));
            var verifier = await ProofVerifierContract.DeployAsync(sender, compiled, cancellationToken: ct);
            await File.WriteAllTextAsync(cli.Get(addrPath).FullName, verifier.Address.ToString(), ct);
            Console.WriteLine($"deployed at {verifier.Address} (transaction {verifier.Deployment!.TransactionHash}, {verifier.Deployment.GasUsed:N0} gas)");
            Console.WriteLine($"address written to {cli.Get(addrPath).FullName}");
            return CliRunner.Success;
        }, ct));
        return command;
    }

    private static Command VerifyEvm()
    {
        var proofPath = Input("--proof-path", "The proof (proof.json)");
        var address = Address();
        var rpcUrl = RpcUrl();
        var command = new Command("verify-evm", "Verify a proof with a deployed verifier (eth_call): exit 0 when valid, 1 when invalid, 2 on error")
        {
            proofPath, address, rpcUrl,
        };
        command.SetAction((parse, ct) => CliRunner.RunAsync(parse, async cli =>
        {
            var proof = await Proof.LoadAsync(cli.Get(proofPath).FullName, ct);
            byte[] calldata;
            await using (var engine = new EzklEngine(new EzklEngineOptions { MaxInstances = 1 }, cli.LoggerFactory))
            {
                calldata = await engine.EncodeEvmCalldataAsync(proof, cancellationToken: ct);
            }

            using var rpc = new EthereumRpcClient(ParseUrl(cli.Get(rpcUrl)));
            var verifier = new ProofVerifierContract(rpc, ParseAddress(cli.Get(address)));
            var result = await verifier.VerifyCalldataAsync(calldata, estimateGas: true, ct);
            if (result.IsValid)
            {
                Console.WriteLine($"verified: true (gas {result.GasUsed:N0})");
                return CliRunner.Success;
            }

            Console.WriteLine("verified: false");
            await Console.Error.WriteLineAsync("zkml: proof is invalid: " + result.Reason);
            return CliRunner.Negative;
        }, ct));
        return command;
    }

    private static Command VerifyDeployed()
    {
        var address = Address();
        var vkPath = Input("--vk-path", "The verifying key (vk.key)");
        var srsPath = Input("--srs-path", "The KZG SRS (a larger k is downsized to the settings' logrows)");
        var settingsPath = Input("--settings-path", "The circuit settings (settings.json)", "-S");
        var rpcUrl = RpcUrl();
        var command = new Command("verify-deployed",
            "Check that the contract at an address is the verifier of a verifying key: regenerates and compiles it and compares the runtime code (exit 0 match, 1 mismatch, 2 error)")
        {
            address, vkPath, srsPath, settingsPath, rpcUrl,
        };
        command.SetAction((parse, ct) => CliRunner.RunAsync(parse, async cli =>
        {
            var verifier = await GenerateAsync(cli, vkPath, srsPath, settingsPath);
            var compiled = await new SolidityCompiler().CompileAsync(verifier.SoliditySource, verifier.ContractName, ct);
            using var rpc = new EthereumRpcClient(ParseUrl(cli.Get(rpcUrl)));
            var deployed = await new ProofVerifierContract(rpc, ParseAddress(cli.Get(address))).GetRuntimeCodeAsync(ct);
            if (deployed.AsSpan().SequenceEqual(compiled.DeployedBytecode))
            {
                Console.WriteLine($"match: {cli.Get(address)} runs the verifier of {cli.Get(vkPath).Name} ({deployed.Length:N0} bytes, solc {compiled.CompilerVersion})");
                return CliRunner.Success;
            }

            Console.WriteLine("match: false");
            await Console.Error.WriteLineAsync(deployed.Length == 0
                ? $"zkml: there is no contract at {cli.Get(address)}"
                : $"zkml: the code at {cli.Get(address)} ({deployed.Length:N0} bytes) is not the verifier of this key ({compiled.RuntimeCodeSize:N0} bytes, solc {compiled.CompilerVersion}, optimizer runs 1, cancun)");
            return CliRunner.Negative;
        }, ct));
        return command;
    }

    private static async Task<EvmVerifier> GenerateAsync(CliContext cli, Option<FileInfo> vkPath, Option<FileInfo> srsPath, Option<FileInfo> settingsPath)
    {
        var ct = cli.CancellationToken;
        var vk = await VerifyingKey.LoadAsync(cli.Get(vkPath).FullName, ct);
        var settings = await CircuitSettings.LoadAsync(cli.Get(settingsPath).FullName, ct);
        var srs = await SrsCommands.LoadForCircuitAsync(cli.Get(srsPath), settings.RunArgs.Logrows, ct);
        await using var engine = new EzklEngine(new EzklEngineOptions { MaxInstances = 1 }, cli.LoggerFactory);
        return await cli.WithProgressAsync("create-evm-verifier", progress => engine.CreateEvmVerifierAsync(vk, settings, srs, progress, ct).AsTask());
    }

    private static async Task<EthereumKey> DeployerKeyAsync(EthereumRpcClient rpc, string? privateKey, CancellationToken ct)
    {
        if (privateKey is { Length: > 0 })
        {
            try
            {
                return EthereumKey.FromHex(privateKey);
            }
            catch (EthereumFormatException e)
            {
                throw new ArgumentException("--private-key is not a private key (0x + 64 hex digits): " + e.Message, e);
            }
        }

        var chainId = await rpc.GetChainIdAsync(ct);
        if (chainId != AnvilChainId)
        {
            throw new ArgumentException($"--private-key is required: the chain at {rpc.Endpoint} has chain id {chainId}, not an anvil dev chain (31337)");
        }

        var key = EthereumKey.FromHex(AnvilDevKey);
        await Console.Error.WriteLineAsync($"zkml: no --private-key: using anvil's well-known dev account {key.Address} (chain id 31337). Never use it on a real chain.");
        return key;
    }

    private static Option<string> RpcUrl() =>
        new("--rpc-url", "-U") { Description = "The node's JSON-RPC URL", Required = true };

    private static Option<string> Address() =>
        new("--addr-verifier") { Description = "The verifier's address (0x + 40 hex)", Required = true };

    private static Uri ParseUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ArgumentException($"--rpc-url '{url}' is not an http(s) URL");

    private static EthereumAddress ParseAddress(string text) =>
        EthereumAddress.TryParse(text.Trim(), out var address)
            ? address
            : throw new ArgumentException($"--addr-verifier '{text}' is not an address (0x + 40 hex digits)");

    private static Option<FileInfo> Input(string name, string description, params string[] aliases) =>
        new Option<FileInfo>(name, aliases) { Description = description, Required = true }.AcceptExistingOnly();

    private static Option<FileInfo> Output(string name, string description, string defaultPath, params string[] aliases) =>
        new(name, aliases) { Description = description + $" (default {defaultPath})", DefaultValueFactory = _ => new FileInfo(defaultPath) };

}
