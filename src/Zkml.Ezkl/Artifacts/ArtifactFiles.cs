namespace Zkml.Ezkl;

/// <summary>File and stream plumbing shared by the artifact types.</summary>
internal static class ArtifactFiles
{
    public static byte[] Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return File.ReadAllBytes(path);
    }

    public static Task<byte[]> ReadAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return File.ReadAllBytesAsync(path, cancellationToken);
    }

    public static async Task<byte[]> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = stream.CanSeek ? new MemoryStream(checked((int)Math.Max(0, stream.Length - stream.Position))) : new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }

    public static void WriteAtomically(string path, byte[] bytes)
    {
        var temp = TempPathBeside(path);
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public static async Task WriteAtomicallyAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        var temp = TempPathBeside(path);
        try
        {
            await File.WriteAllBytesAsync(temp, bytes, cancellationToken).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static string TempPathBeside(string path)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..12] + ".tmp");
    }

    public static EzklInvalidArtifactException Invalid(ArtifactKind kind, string problem, Exception? inner = null) =>
        new(kind, $"{Describe(kind)} is malformed: {problem}", inner);

    public static string Describe(ArtifactKind kind) => kind switch
    {
        ArtifactKind.Settings => "settings (settings.json)",
        ArtifactKind.CompiledCircuit => "compiled circuit (network.compiled)",
        ArtifactKind.Input => "input (input.json)",
        ArtifactKind.Witness => "witness (witness.json)",
        ArtifactKind.Proof => "proof (proof.json)",
        ArtifactKind.VerifyingKey => "verifying key (vk.key)",
        ArtifactKind.ProvingKey => "proving key (pk.key)",
        ArtifactKind.Srs => "SRS (KZG parameters)",
        ArtifactKind.FieldElements => "field elements",
        _ => kind.ToString(),
    };
}
