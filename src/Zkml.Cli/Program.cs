using System.CommandLine;

namespace Zkml.Cli;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("zkml: verifiable ML inference with ezkl, in .NET") { CliRunner.Verbose };
        EngineVerbs.AddTo(root);
        SrsCommands.AddTo(root);
        CompilerCommands.AddTo(root);
        EvmCommands.AddTo(root);

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync("zkml: error: " + error.Message);
            }

            await Console.Error.WriteLineAsync("run 'zkml --help' for usage");
            return CliRunner.Failure;
        }

        return await parse.InvokeAsync();
    }
}
