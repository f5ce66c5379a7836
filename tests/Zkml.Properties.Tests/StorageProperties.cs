using System.Text;
using System.Text.Json;
using CsCheck;
using Zkml.Storage;
using Zkml.Storage.Audit;
using Zkml.Storage.FileSystem;

namespace Zkml.Properties.Tests;

/// <summary>The storage readers: content ids, the file trailer, audit entries.</summary>
public sealed class StorageProperties
{
    [Fact]
    public void ContentIdRoundTripsEveryDigest()
    {
        Property.ForAll(Gen.Byte.Array[32], 1801, sha =>
        {
            var cid = ContentId.FromSha256(sha);
            Assert.True(ContentId.TryGetSha256(cid, out var back));
            Assert.Equal(sha, back);
            Assert.Equal(cid, ContentId.FromSha256Hex(Convert.ToHexStringLower(sha)));
            Assert.True(ContentId.TryParseSha256Hex(Convert.ToHexStringLower(sha), out var parsed));
            Assert.Equal(sha, parsed);
        });
    }

    [Fact]
    public void ContentIdReadersNeverThrowOnHostileText()
    {
        var cid = ContentId.Compute("zkml"u8);
        var text = Gen.Frequency(
            (2, Gen.String),
            (2, Inputs.Mutated(Encoding.ASCII.GetBytes(cid)).Select(b => Encoding.Latin1.GetString(b))),
            (1, Inputs.Mutated(Encoding.ASCII.GetBytes(new string('a', 64))).Select(b => Encoding.Latin1.GetString(b))));
        Property.ForAll(text, 1802, s =>
        {
            if (ContentId.TryGetSha256(s, out var sha))
            {
                // Whatever parses is the canonical id of its digest.
                Assert.Equal(s, ContentId.FromSha256(sha));
            }

            ContentId.TryParseSha256Hex(s, out _);
        });
    }

    [Fact]
    public async Task FileStoreRoundTripsAndOnlyStorageErrorsEscapeOnDamagedFiles()
    {
        var root = Directory.CreateTempSubdirectory("zkml-props-").FullName;
        try
        {
            var store = new FileSystemArtifactStore(root);
            var content = Inputs.Fixture("settings.json");
            await store.PutAsync("a/settings.json", new MemoryStream(content));
            var path = store.GetPath("a/settings.json");
            var original = await File.ReadAllBytesAsync(path);

            var pcg = new PCG(1, 1803);
            var gen = Inputs.Hostile(original);
            int intact = 0;
            for (var i = 0; i < 200; i++)
            {
                var bytes = gen.Generate(pcg, null, out _);
                await File.WriteAllBytesAsync(path, bytes);
                try
                {
                    await using var read = await store.OpenReadAsync("a/settings.json");
                    using var copy = new MemoryStream();
                    await read.Content.CopyToAsync(copy);

                    // Accepted only when the content is what was stored (the digest check holds).
                    Assert.Equal(content, copy.ToArray());
                    intact++;
                }
                catch (StorageException)
                {
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    throw new PropertyFailedException($"seed 1803, case {i}: {e.GetType().Name}: {e.Message}\ninput: {Convert.ToHexString(bytes)}", e);
                }
            }

            await File.WriteAllBytesAsync(path, original);
            await using var ok = await store.OpenReadAsync("a/settings.json");
            Assert.True(intact < 200);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task AuditTrailReportsDamagedEntriesWithoutThrowing()
    {
        var root = Directory.CreateTempSubdirectory("zkml-props-").FullName;
        try
        {
            var store = new FileSystemArtifactStore(root);
            var trail = new AuditTrail(store);
            for (var i = 0; i < 3; i++)
            {
                using var doc = JsonDocument.Parse($$"""{"n":{{i}},"note":"entry"}""");
                await trail.AppendAsync("test", doc.RootElement.Clone());
            }

            Assert.True((await trail.VerifyAsync()).IsValid);
            var path = store.GetPath(trail.KeyOf(2));
            var original = await File.ReadAllBytesAsync(path);
            var pcg = new PCG(1, 1804);
            var gen = Inputs.Mutated(original);
            for (var i = 0; i < 150; i++)
            {
                var bytes = gen.Generate(pcg, null, out _);
                await File.WriteAllBytesAsync(path, bytes);
                try
                {
                    var result = await trail.VerifyAsync();
                    if (!bytes.AsSpan().SequenceEqual(original))
                    {
                        Assert.False(result.IsValid, $"case {i}: a damaged entry verified");
                    }
                }
                catch (StorageException)
                {
                }
                catch (Exception e) when (e is not Xunit.Sdk.XunitException)
                {
                    throw new PropertyFailedException($"seed 1804, case {i}: {e.GetType().Name}: {e.Message}\ninput: {Convert.ToHexString(bytes)}", e);
                }
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
