using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Zkml.Storage.FileSystem;

/// <summary>
/// What the filesystem store records about an artifact. It is written after the content, in the same file, so a
/// put is one temporary file renamed into place and content and digest can never come from different writes:
/// <c>[content][trailer JSON][trailer length: uint32 LE]["ZKMLART1"]</c>.
/// </summary>
internal sealed record FileArtifactTrailer(
    long Size, string Sha256, string Cid, string? ContentType, Dictionary<string, string>? Metadata)
{
    private static ReadOnlySpan<byte> Magic => "ZKMLART1"u8;
    private const int FooterLength = 12;
    private const int MaxTrailerLength = 1 << 20;

    public async Task WriteAsync(Stream file, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(this, FileArtifactJsonContext.Default.FileArtifactTrailer);
        var footer = new byte[FooterLength];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, (uint)json.Length);
        Magic.CopyTo(footer.AsSpan(4));
        await file.WriteAsync(json, cancellationToken).ConfigureAwait(false);
        await file.WriteAsync(footer, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads the trailer of an open artifact file; leaves the file positioned at the content's start.</summary>
    public static async Task<FileArtifactTrailer> ReadAsync(FileStream file, string key, CancellationToken cancellationToken)
    {
        var fileLength = file.Length;
        var footer = new byte[FooterLength];
        if (fileLength < FooterLength)
        {
            throw Damaged(key, "it is shorter than its trailer");
        }

        file.Position = fileLength - FooterLength;
        await file.ReadExactlyAsync(footer, cancellationToken).ConfigureAwait(false);
        if (!footer.AsSpan(4).SequenceEqual(Magic))
        {
            throw Damaged(key, "its trailer marker is missing");
        }

        var trailerLength = BinaryPrimitives.ReadUInt32LittleEndian(footer);
        if (trailerLength > MaxTrailerLength || trailerLength > fileLength - FooterLength)
        {
            throw Damaged(key, "its trailer length is out of range");
        }

        var json = new byte[trailerLength];
        file.Position = fileLength - FooterLength - trailerLength;
        await file.ReadExactlyAsync(json, cancellationToken).ConfigureAwait(false);
        FileArtifactTrailer? trailer;
        try
        {
            trailer = JsonSerializer.Deserialize(json, FileArtifactJsonContext.Default.FileArtifactTrailer);
        }
        catch (JsonException ex)
        {
            throw Damaged(key, "its trailer is not valid JSON: " + ex.Message);
        }

        if (trailer is null || trailer.Size != fileLength - FooterLength - trailerLength)
        {
            throw Damaged(key, "its recorded size does not match the file");
        }

        file.Position = 0;
        return trailer;
    }

    private static ArtifactIntegrityException Damaged(string key, string reason) =>
        new(key, null, null, $"Artifact file for '{key}' is damaged: {reason}.");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FileArtifactTrailer))]
internal sealed partial class FileArtifactJsonContext : JsonSerializerContext;
