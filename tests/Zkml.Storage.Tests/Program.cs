using System.Text.Json;
using Zkml.Storage.Audit;
using Zkml.Storage.FileSystem;
using Zkml.Storage.S3;
using Zkml.Storage.Tests.Support;

namespace Zkml.Storage.Tests;

/// <summary>
/// The test assembly run as a program (<c>dotnet Zkml.Storage.Tests.dll audit-append ...</c>) is the second process
/// of the concurrency tests: it appends entries to an audit trail. It prints <c>ready</c> once set up, then waits
/// for the parent to create GO_FILE, so that all helpers start appending together and really contend.
/// </summary>
public static class Program
{
    /// <summary>
    /// <c>audit-append fs ROOT PREFIX WRITER COUNT GO_FILE</c> or
    /// <c>audit-append s3 BUCKET PREFIX WRITER COUNT GO_FILE</c> (endpoint and keys from ZKML_TEST_S3_*).
    /// </summary>
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["audit-append", var backend, var location, var prefix, var writer, var countText, var goFile])
        {
            await Console.Error.WriteLineAsync("usage: audit-append fs|s3 ROOT|BUCKET PREFIX WRITER COUNT GO_FILE");
            return 2;
        }

        IArtifactStore store = backend == "fs"
            ? new FileSystemArtifactStore(location)
            : new S3ArtifactStore(S3TestStores.Options(location));
        var trail = new AuditTrail(store, new AuditTrailOptions { Prefix = prefix });

        // Warm up (JIT, the S3 connection, the first listing, an append on a trail of its own) so that every helper
        // appends at full speed once released.
        await trail.GetLastAsync();
        await new AuditTrail(store, new AuditTrailOptions { Prefix = $"warm-up/{writer}/" }).AppendAsync(
            "warm-up", JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["writer"] = writer }));

        // The barrier: tell the parent this process is set up, then wait until it releases every helper at once.
        // The parent gives up on (and kills) a helper that never gets released, so this loop needs no limit of its own.
        Console.WriteLine("ready");
        Console.Out.Flush();
        while (!File.Exists(goFile))
        {
            await Task.Delay(1);
        }

        for (var i = 0; i < int.Parse(countText); i++)
        {
            var payload = JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["writer"] = writer, ["index"] = i });
            await trail.AppendAsync("test-event", payload);
        }

        Console.WriteLine($"contentions={trail.Contentions}");
        (store as IDisposable)?.Dispose();
        return 0;
    }
}
