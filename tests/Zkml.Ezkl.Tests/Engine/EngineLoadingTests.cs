using Microsoft.Extensions.DependencyInjection;
using Zkml.Ezkl.Engine;
using Zkml.TestSupport;

namespace Zkml.Ezkl.Tests.Engine;

/// <summary>Finding, checking, patching and caching the engine module.</summary>
[Collection(EngineCollection.Name)]
public sealed class EngineLoadingTests(EngineFixture fixture)
{
    private static string DefaultEngineFile => Path.Combine(AppContext.BaseDirectory, "ezkl_bg.wasm");

    [Fact]
    public void The_build_places_the_pinned_engine_beside_the_assembly()
    {
        Assert.True(File.Exists(DefaultEngineFile));
        using var stream = File.OpenRead(DefaultEngineFile);
        Assert.Equal(EngineModule.PinnedSha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream)));
    }

    [Fact]
    public void The_patch_clears_only_the_shared_flag_of_the_imported_memory()
    {
        var original = File.ReadAllBytes(DefaultEngineFile);
        var patched = (byte[])original.Clone();

        Assert.Equal(1, WasmImportPatcher.UnshareImportedMemories(patched));

        var differences = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        var at = Assert.Single(differences);
        Assert.Equal(0x03, original[at]); // has maximum + shared
        Assert.Equal(0x01, patched[at]);  // has maximum
        Assert.Equal(0, WasmImportPatcher.UnshareImportedMemories(patched)); // idempotent
    }

    [Fact]
    public async Task The_engine_as_published_and_the_rewritten_one_give_the_same_keys_and_accept_each_others_proofs()
    {
        // The fixture's engine runs with OptimizeWideMultiplication (the default); this one compiles the wasm unchanged.
        using var original = new EzklEngine(new EzklEngineOptions { MaxInstances = 1, OptimizeWideMultiplication = false });
        var engine = fixture.Engine;

        var keys = await original.SetupAsync(fixture.Circuit, fixture.Srs);
        var rewrittenKeys = await engine.SetupAsync(fixture.Circuit, fixture.Srs);
        Assert.Equal(rewrittenKeys.VerifyingKey.ToArray(), keys.VerifyingKey.ToArray());
        Assert.Equal(rewrittenKeys.ProvingKey.ToArray(), keys.ProvingKey.ToArray());

        var byOriginal = await original.ProveAsync(fixture.Witness, fixture.ProvingKey, fixture.Circuit, fixture.Srs);
        var byRewritten = await engine.ProveAsync(fixture.Witness, fixture.ProvingKey, fixture.Circuit, fixture.Srs);
        Assert.True((await engine.VerifyAsync(byOriginal, fixture.VerifyingKey, fixture.Settings, fixture.Srs)).IsValid);
        Assert.True((await original.VerifyAsync(byRewritten, fixture.VerifyingKey, fixture.Settings, fixture.Srs)).IsValid);
        Assert.NotEqual(
            EngineModule.CachePath("cache", EngineModule.PinnedSha256, wideMultiplication: false),
            EngineModule.CachePath("cache", EngineModule.PinnedSha256, wideMultiplication: true));
    }

    [Fact]
    public async Task A_missing_engine_file_is_a_load_error_naming_the_path()
    {
        using var engine = new EzklEngine(new EzklEngineOptions { EnginePath = "/nonexistent/ezkl_bg.wasm" });

        var error = await Assert.ThrowsAsync<EzklEngineLoadException>(async () => await engine.WarmUpAsync());

        Assert.Contains("/nonexistent/ezkl_bg.wasm", error.Message);
    }

    [Fact]
    public async Task A_failed_load_is_not_remembered_the_next_call_loads_again()
    {
        var dir = Path.Combine(Path.GetTempPath(), "zkml-engine-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(dir, "ezkl_bg.wasm");
        try
        {
            using var engine = new EzklEngine(new EzklEngineOptions { EnginePath = path, ExpectedSha256 = EngineModule.PinnedSha256, MaxInstances = 1 });
            await Assert.ThrowsAsync<EzklEngineLoadException>(async () => await engine.WarmUpAsync());

            Directory.CreateDirectory(dir);
            File.Copy(DefaultEngineFile, path);
            var result = await engine.VerifyAsync(fixture.Proof, fixture.VerifyingKey, fixture.Settings, fixture.Srs);

            Assert.True(result.IsValid);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public async Task An_engine_file_with_another_hash_than_expected_is_refused()
    {
        using var engine = new EzklEngine(new EzklEngineOptions { EnginePath = DefaultEngineFile, ExpectedSha256 = new string('0', 64) });

        var error = await Assert.ThrowsAsync<EzklEngineLoadException>(async () => await engine.WarmUpAsync());

        Assert.Contains(EngineModule.PinnedSha256, error.Message);
    }

    [Fact]
    public async Task An_engine_file_changed_after_its_hash_was_stamped_is_hashed_again_and_refused()
    {
        var dir = Path.Combine(Path.GetTempPath(), "zkml-engine-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(dir, "ezkl_bg.wasm");
        var cacheDir = Path.Combine(dir, "cache");
        Directory.CreateDirectory(cacheDir);
        try
        {
            File.Copy(DefaultEngineFile, path);
            // The shared fixture has already compiled the module: reuse it so this test only loads.
            var compiled = EngineModule.CachePath(EngineModule.DefaultCacheDirectory(), EngineModule.PinnedSha256, wideMultiplication: true);
            if (File.Exists(compiled))
            {
                File.Copy(compiled, EngineModule.CachePath(cacheDir, EngineModule.PinnedSha256, wideMultiplication: true));
            }

            Thread.Sleep(EngineFileHash.SettleTime + TimeSpan.FromMilliseconds(100));
            var options = new EzklEngineOptions
            {
                EnginePath = path, ExpectedSha256 = EngineModule.PinnedSha256, ModuleCacheDirectory = cacheDir, MaxInstances = 1,
            };
            using (var engine = new EzklEngine(options))
            {
                Assert.True((await engine.VerifyAsync(fixture.Proof, fixture.VerifyingKey, fixture.Settings, fixture.Srs)).IsValid);
            }

            Assert.True(File.Exists(EngineFileHash.StampPath(cacheDir, path)));

            // Flip one byte in place: same size, and the modification time put back.
            var mtime = File.GetLastWriteTimeUtc(path);
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
            {
                stream.Position = stream.Length - 1;
                var last = stream.ReadByte();
                stream.Position = stream.Length - 1;
                stream.WriteByte((byte)(last ^ 0xff));
            }

            File.SetLastWriteTimeUtc(path, mtime);
            using var changed = new EzklEngine(options);

            var error = await Assert.ThrowsAsync<EzklEngineLoadException>(async () => await changed.WarmUpAsync());

            Assert.Contains(path, error.Message);
            Assert.Contains("expected " + EngineModule.PinnedSha256, error.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_corrupt_cache_file_is_rebuilt_and_the_rebuilt_one_is_used_next_time()
    {
        var cacheDir = Path.Combine(Path.GetTempPath(), "zkml-cache-test-" + Guid.NewGuid().ToString("N"));
        var cacheFile = EngineModule.CachePath(cacheDir, EngineModule.PinnedSha256, wideMultiplication: true);
        Directory.CreateDirectory(cacheDir);
        await File.WriteAllBytesAsync(cacheFile, "not a compiled module"u8.ToArray());
        try
        {
            var options = new EzklEngineOptions { MaxInstances = 1, ModuleCacheDirectory = cacheDir };
            using (var rebuilt = new EzklEngine(options))
            {
                var result = await rebuilt.VerifyAsync(fixture.Proof, fixture.VerifyingKey, fixture.Settings, fixture.Srs);
                Assert.True(result.IsValid);
                Assert.False(rebuilt.ModuleLoadedFromCache);
            }

            Assert.True(new FileInfo(cacheFile).Length > 1_000_000);
            Assert.Empty(Directory.GetFiles(cacheDir, "*.tmp"));
            using var cached = new EzklEngine(options);
            var again = await cached.VerifyAsync(fixture.Proof, fixture.VerifyingKey, fixture.Settings, fixture.Srs);
            Assert.True(again.IsValid);
            Assert.True(cached.ModuleLoadedFromCache);
        }
        finally
        {
            Directory.Delete(cacheDir, recursive: true);
        }
    }

    [Fact]
    public async Task Dependency_injection_provides_one_shared_configured_engine()
    {
        var services = new ServiceCollection();
        services.AddEzkl(o => o.MaxInstances = 1);
        await using var provider = services.BuildServiceProvider();

        var engine = provider.GetRequiredService<EzklEngine>();

        Assert.Same(engine, provider.GetRequiredService<EzklEngine>());
        Assert.Equal(1, engine.MaxInstances);
        var result = await engine.VerifyAsync(fixture.Proof, fixture.VerifyingKey, fixture.Settings, fixture.Srs);
        Assert.True(result.IsValid);
    }
}
