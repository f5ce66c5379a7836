using Zkml.Storage.FileSystem;
using Zkml.Storage.Tests.Support;

namespace Zkml.Storage.Tests.Artifacts;

public sealed class FileSystemArtifactStoreTests : ArtifactStoreContract, IDisposable
{
    private readonly TempFolder _folder = new();

    protected override Task<IArtifactStore> CreateStoreAsync() =>
        Task.FromResult<IArtifactStore>(new FileSystemArtifactStore(Path.Combine(_folder.Path, Guid.NewGuid().ToString("N"))));

    protected override Task TamperAsync(IArtifactStore store, string key, byte[] replacement) =>
        StoreTampering.ReplaceContentAsync(store, key, replacement);

    [Fact]
    public async Task Put_FailedMidway_LeavesNoTemporaryFileBehind()
    {
        var store = new FileSystemArtifactStore(_folder.Path);

        await Assert.ThrowsAsync<IOException>(async () =>
            await store.PutAsync("x", new FailingStream(TestData.Bytes(1 << 20), failAfter: 1000)));

        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_folder.Path, ".tmp")));
    }

    [Fact]
    public async Task Read_TruncatedFile_ThrowsIntegrityError()
    {
        var store = new FileSystemArtifactStore(_folder.Path);
        await store.PutAsync("proof.json", TestData.Bytes(5000));
        var path = store.GetPath("proof.json");

        await using (var file = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(3000);
        }

        await Assert.ThrowsAsync<ArtifactIntegrityException>(async () => await store.ReadAllBytesAsync("proof.json"));
    }

    [Fact]
    public async Task Read_ContentAddressedKeyWhoseFileWasSwapped_ThrowsIntegrityError()
    {
        var store = new FileSystemArtifactStore(_folder.Path);
        var a = await store.PutContentAddressedAsync("a"u8.ToArray(), "blobs/");
        var b = await store.PutContentAddressedAsync("b"u8.ToArray(), "blobs/");

        // A whole, valid artifact file moved under another CID: its own digest matches, the key's does not.
        File.Copy(store.GetPath(b.Key), store.GetPath(a.Key), overwrite: true);

        await Assert.ThrowsAsync<ArtifactIntegrityException>(async () => await store.ReadAllBytesAsync(a.Key));
    }

    [Fact]
    public void Create_RootThatIsAFile_ThrowsStorageException()
    {
        var file = Path.Combine(_folder.Path, "not-a-folder");
        File.WriteAllText(file, "x");

        Assert.Throws<StorageException>(() => new FileSystemArtifactStore(file));
    }

    [Fact]
    public async Task Put_KeyBelowAnExistingArtifact_ThrowsStorageExceptionAndKeepsIt()
    {
        var store = new FileSystemArtifactStore(_folder.Path);
        await store.PutAsync("models/a", "a"u8.ToArray());

        await Assert.ThrowsAsync<StorageException>(async () => await store.PutAsync("models/a/b", "b"u8.ToArray()));

        Assert.Equal("a"u8.ToArray(), await store.ReadAllBytesAsync("models/a"));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_folder.Path, ".tmp")));
    }

    [Fact]
    public async Task PresignedUrl_IsNotSupported()
    {
        var store = new FileSystemArtifactStore(_folder.Path);

        Assert.False(store.SupportsPresignedUrls);
        await Assert.ThrowsAsync<NotSupportedException>(
            async () => await store.GetPresignedReadUriAsync("x", TimeSpan.FromMinutes(1)));
    }

    public void Dispose() => _folder.Dispose();
}
