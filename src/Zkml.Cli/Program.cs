namespace Zkml.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("zkml: no verbs yet");
        return 2;
    }
}
