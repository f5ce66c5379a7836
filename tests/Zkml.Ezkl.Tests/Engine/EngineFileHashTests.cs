using System.Security.Cryptography;
using Zkml.Ezkl.Engine;

namespace Zkml.Ezkl.Tests.Engine;

/// <summary>The engine file's hash stamp: reused while the file is unchanged, never once it changed.</summary>
public sealed class EngineFileHashTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "zkml-filehash-" + Guid.NewGuid().ToString("N"));

    public EngineFileHashTests() => Directory.CreateDirectory(Path.Combine(_dir, "cache"));

    private string CacheDir => Path.Combine(_dir, "cache");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_settled_file_is_hashed_once_then_its_stamp_is_trusted_while_the_file_is_unchanged()
    {
        var file = WriteSettledFile("engine.wasm", RandomNumberGenerator.GetBytes(4096));

        var first = EngineFileHash.Compute(file, CacheDir);

        Assert.Equal(Sha256Of(file), first);
        var stamp = EngineFileHash.StampPath(CacheDir, file);
        Assert.True(File.Exists(stamp));

        // Proof the second call reads the stamp and not the file: a stamp naming another hash is believed.
        var forged = new string('a', 64);
        File.WriteAllText(stamp, File.ReadAllText(stamp).Replace(first, forged, StringComparison.Ordinal));
        Assert.Equal(forged, EngineFileHash.Compute(file, CacheDir));
    }

    [Fact]
    public void A_file_rewritten_in_place_with_the_same_size_and_modification_time_is_hashed_again()
    {
        var original = RandomNumberGenerator.GetBytes(4096);
        var file = WriteSettledFile("engine.wasm", original);
        Assert.Equal(Sha256Of(file), EngineFileHash.Compute(file, CacheDir));
        var mtime = File.GetLastWriteTimeUtc(file);

        var changed = (byte[])original.Clone();
        changed[2048] ^= 0xff;
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            stream.Write(changed);
        }

        File.SetLastWriteTimeUtc(file, mtime); // only the status-change time (ctime) still tells
        Assert.Equal(original.Length, new FileInfo(file).Length);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(changed)), EngineFileHash.Compute(file, CacheDir));
    }

    [Fact]
    public void A_file_replaced_by_another_is_hashed_again()
    {
        var file = WriteSettledFile("engine.wasm", RandomNumberGenerator.GetBytes(4096));
        EngineFileHash.Compute(file, CacheDir);

        var replacement = RandomNumberGenerator.GetBytes(4096);
        var other = Path.Combine(_dir, "other.wasm");
        File.WriteAllBytes(other, replacement);
        File.Move(other, file, overwrite: true);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(replacement)), EngineFileHash.Compute(file, CacheDir));
    }

    [Fact]
    public void A_file_written_a_moment_ago_is_hashed_but_not_stamped()
    {
        var file = Path.Combine(_dir, "fresh.wasm");
        File.WriteAllBytes(file, RandomNumberGenerator.GetBytes(4096));

        Assert.Equal(Sha256Of(file), EngineFileHash.Compute(file, CacheDir));

        Assert.False(File.Exists(EngineFileHash.StampPath(CacheDir, file)));
    }

    [Fact]
    public void Without_a_cache_directory_the_file_is_always_hashed()
    {
        var file = WriteSettledFile("engine.wasm", RandomNumberGenerator.GetBytes(4096));

        Assert.Equal(Sha256Of(file), EngineFileHash.Compute(file, stampDirectory: null));

        Assert.Empty(Directory.GetFiles(CacheDir));
    }

    [Fact]
    public void A_corrupt_stamp_is_ignored_and_replaced()
    {
        var file = WriteSettledFile("engine.wasm", RandomNumberGenerator.GetBytes(4096));
        var stamp = EngineFileHash.StampPath(CacheDir, file);
        File.WriteAllText(stamp, "not a stamp");

        Assert.Equal(Sha256Of(file), EngineFileHash.Compute(file, CacheDir));

        Assert.Contains(Sha256Of(file), File.ReadAllText(stamp), StringComparison.Ordinal);
    }

    /// <summary>Writes a file and waits until its timestamps are old enough to be stamped.</summary>
    private string WriteSettledFile(string name, byte[] content)
    {
        var file = Path.Combine(_dir, name);
        File.WriteAllBytes(file, content);
        Thread.Sleep(EngineFileHash.SettleTime + TimeSpan.FromMilliseconds(100));
        return file;
    }

    private static string Sha256Of(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
}
