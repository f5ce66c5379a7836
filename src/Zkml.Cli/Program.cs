using System.CommandLine;

namespace Zkml.Cli;

internal static class Program
{
    private static Task<int> Main(string[] args)
    {
        var root = new RootCommand("zkml: ezkl's verbs in .NET");
        SrsCommands.AddTo(root);
        CompilerCommands.AddTo(root);
        return root.Parse(args).InvokeAsync();
    }
}
