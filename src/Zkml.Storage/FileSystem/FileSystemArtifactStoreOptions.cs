namespace Zkml.Storage.FileSystem;

/// <summary>Options for <see cref="FileSystemArtifactStore"/>.</summary>
public sealed class FileSystemArtifactStoreOptions
{
    /// <summary>The folder that holds the artifacts (created when missing).</summary>
    public string RootPath { get; set; } = "";

    /// <summary>Reads up to this many bytes are checked in memory; larger ones in a temporary file (default 32 MiB).</summary>
    public int MemorySpoolThreshold { get; set; } = 32 << 20;

    /// <summary>How long a create-only put waits for another writer's lock on the same key (default 30 s).</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
