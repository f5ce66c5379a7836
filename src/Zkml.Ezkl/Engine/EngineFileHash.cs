using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Zkml.Ezkl.Engine;

/// <summary>
/// The sha256 of the engine file, remembered between processes. Hashing the 10 MB engine costs about 12 ms on every
/// start, a tenth of a fresh process's load; so after hashing, a small stamp file in the module cache directory records
/// the file's identity (full path, device, inode, size, modification and status-change times, from statx) and its hash.
/// A later start that finds the same identity takes the recorded hash instead of reading the file.
/// </summary>
/// <remarks>
/// <para>
/// The trade-off: the hash is then only as fresh as the identity. Any write to the file changes its status-change
/// time (ctime), which unlike the modification time no user process can set back, and replacing the file changes its
/// inode; so a changed file is always hashed again and a wrong hash is still refused. Timestamps are coarse (the kernel
/// updates them per clock tick), so a file changed within a tick of being stamped could keep its identity: a file whose
/// times are less than <see cref="SettleTime"/> old is hashed but not stamped (git's "racily clean" rule).
/// </para>
/// <para>
/// The stamp adds no new trust: it lives beside the compiled module, which is native code the process runs anyway, so
/// whoever could forge a stamp could already replace the module. Where statx is not available (not Linux) the file is
/// hashed on every start, as before.
/// </para>
/// </remarks>
internal static class EngineFileHash
{
    /// <summary>How old a file's timestamps must be before its hash is stamped.</summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(1);

    private const string StampHeader = "zkml engine file stamp v1";

    /// <summary>The file's sha256 (lowercase hex): from the stamp in <paramref name="stampDirectory"/> when it still
    /// describes the file, else computed (and stamped). A null directory always computes.</summary>
    public static string Compute(string path, string? stampDirectory)
    {
        var fullPath = Path.GetFullPath(path);
        var stampPath = stampDirectory is null ? null : StampPath(stampDirectory, fullPath);
        var before = stampPath is null ? null : FileIdentity.Of(fullPath);
        if (stampPath is not null && before is not null && ReadStamp(stampPath, fullPath, before.Value) is { } stamped)
        {
            return stamped;
        }

        string sha256;
        using (var file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        {
            sha256 = Convert.ToHexStringLower(SHA256.HashData(file));
        }

        // Stamp only a file that did not change while it was hashed and whose times have settled.
        if (stampPath is not null && before is { } identity && FileIdentity.Of(fullPath) == identity && identity.IsSettled(SettleTime))
        {
            WriteStamp(stampPath, fullPath, identity, sha256);
        }

        return sha256;
    }

    internal static string StampPath(string directory, string fullPath)
    {
        return Path.Combine(directory, $"engine-file-{NameHash(fullPath)}.stamp");
    }

    /// <summary>
    /// A 64-bit FNV-1a hash of a string as 16 hex digits, for cache file names. Not sha256: the first use of the
    /// platform's crypto library costs milliseconds at start-up, and these names need no collision resistance (the
    /// files hold what they are for, and the cache directory is trusted anyway).
    /// </summary>
    internal static string NameHash(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }

    private static string? ReadStamp(string stampPath, string fullPath, FileIdentity identity)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(stampPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // Anything unexpected (another version's format, a truncated file) is no stamp: the file is hashed again.
        return lines is [StampHeader, var recordedPath, var recordedIdentity, var sha256]
               && recordedPath == fullPath
               && recordedIdentity == identity.ToString()
               && sha256.Length == 64 && sha256.All(char.IsAsciiHexDigitLower)
            ? sha256
            : null;
    }

    private static void WriteStamp(string stampPath, string fullPath, FileIdentity identity, string sha256)
    {
        if (fullPath.Contains('\n', StringComparison.Ordinal))
        {
            return;
        }

        try
        {
            ArtifactFiles.WriteAtomically(stampPath, Encoding.UTF8.GetBytes($"{StampHeader}\n{fullPath}\n{identity}\n{sha256}\n"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A read-only cache only costs the hash on the next start.
        }
    }

    /// <summary>What identifies one version of a file: where it lives, its size and its times (nanoseconds).</summary>
    internal readonly record struct FileIdentity(ulong Device, ulong Inode, ulong Size, long ModifiedNs, long ChangedNs)
    {
        private static bool s_unavailable = !OperatingSystem.IsLinux();

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"dev={Device} ino={Inode} size={Size} mtime={ModifiedNs} ctime={ChangedNs}");

        public bool IsSettled(TimeSpan settleTime)
        {
            var nowNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
            var settleNs = settleTime.Ticks * 100;
            return ModifiedNs < nowNs - settleNs && ChangedNs < nowNs - settleNs;
        }

        /// <summary>The identity of the file at a path (following links), or null when it cannot be read.</summary>
        public static FileIdentity? Of(string path)
        {
            if (s_unavailable)
            {
                return null;
            }

            var buffer = new byte[StatxSize];
            try
            {
                if (Statx(AtFdCwd, path, 0, StatxBasicStats, buffer) != 0)
                {
                    return null;
                }
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                s_unavailable = true;
                return null;
            }

            // struct statx (linux/stat.h) has the same layout on every architecture.
            var mask = BitConverter.ToUInt32(buffer, 0);
            if ((mask & RequiredFields) != RequiredFields)
            {
                return null;
            }

            var device = ((ulong)BitConverter.ToUInt32(buffer, 136) << 32) | BitConverter.ToUInt32(buffer, 140);
            return new FileIdentity(
                device,
                BitConverter.ToUInt64(buffer, 32),
                BitConverter.ToUInt64(buffer, 40),
                Nanoseconds(buffer, 112),
                Nanoseconds(buffer, 96));
        }

        private static long Nanoseconds(byte[] buffer, int offset) =>
            (BitConverter.ToInt64(buffer, offset) * 1_000_000_000) + BitConverter.ToUInt32(buffer, offset + 8);

        private const int AtFdCwd = -100;
        private const uint StatxBasicStats = 0x7ff;
        private const uint RequiredFields = 0x200 /* size */ | 0x100 /* ino */ | 0x40 /* mtime */ | 0x80 /* ctime */;
        private const int StatxSize = 256;

        [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
        private static extern int Statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
    }
}
