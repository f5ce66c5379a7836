using System.Text.Json;
using Zkml.Storage.Audit;
using Zkml.Storage.FileSystem;
using Zkml.Storage.S3;
using Zkml.Storage.Tests.Support;

namespace Zkml.Storage.Tests;

/// <summary>
/// The test assembly run as a program (<c>dotnet Zkml.Storage.Tests.dll audit-append ...</c>) is the second process
/// of the concurrency tests: it appends entries to an audit trail, starting at an agreed instant so that the
/// processes really contend.
/// </summary>
public static class Program
{
    /// <summary>
    /// <c>audit-append fs ROOT PREFIX WRITER COUNT START_UNIX_MS</c> or
    /// <c>audit-append s3 BUCKET PREFIX WRITER COUNT START_UNIX_MS</c> (endpoint and keys from ZKML_TEST_S3_*).
    /// </summary>
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["audit-append", var backend, var location, var prefix, var writer, var countText, var startText])
        {
            await Console.Error.WriteLineAsync("usage: audit-append fs|s3 ROOT|BUCKET PREFIX WRITER COUNT START_UNIX_MS");
            return 2;
        }

        IArtifactStore store = backend == "fs"
            ? new FileSystemArtifactStore(location)
            : new S3ArtifactStore(S3TestStores.Options(location));
        var trail = new AuditTrail(store, new AuditTrailOptions { Prefix = prefix });

        var start = DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(startText));
        var wait = start - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
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
