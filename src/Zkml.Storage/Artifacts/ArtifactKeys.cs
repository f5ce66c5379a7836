using System.Text;

namespace Zkml.Storage;

/// <summary>
/// The rules every store applies to keys, so a key that works on the filesystem works on S3 and back: 1 to 1024
/// UTF-8 bytes of ASCII letters, digits and <c>- _ . = + @ , : ~</c>, in segments separated by single slashes; no
/// segment may be empty or start with a dot (names starting with a dot are the stores' own).
/// </summary>
public static class ArtifactKeys
{
    /// <summary>The longest key in UTF-8 bytes (S3's limit).</summary>
    public const int MaxLength = 1024;

    /// <summary>Throws <see cref="InvalidArtifactKeyException"/> unless <paramref name="key"/> follows the rules.</summary>
    public static void Validate(string key)
    {
        if (!TryValidate(key, out var reason))
        {
            throw new InvalidArtifactKeyException(key ?? "", reason);
        }
    }

    /// <summary>
    /// Throws <see cref="InvalidArtifactKeyException"/> unless <paramref name="prefix"/> is empty or a key prefix
    /// (a valid key, optionally ending with a slash).
    /// </summary>
    public static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length == 0)
        {
            return;
        }

        var trimmed = prefix.EndsWith('/') ? prefix[..^1] : prefix;
        if (!TryValidate(trimmed, out var reason))
        {
            throw new InvalidArtifactKeyException(prefix, reason);
        }
    }

    /// <summary>Checks <paramref name="key"/> against the rules; <paramref name="reason"/> says what is wrong.</summary>
    public static bool TryValidate(string key, out string reason)
    {
        if (string.IsNullOrEmpty(key))
        {
            reason = "a key must not be empty";
            return false;
        }

        if (Encoding.UTF8.GetByteCount(key) > MaxLength)
        {
            reason = $"a key must be at most {MaxLength} bytes";
            return false;
        }

        var segmentStart = true;
        foreach (var c in key)
        {
            if (c == '/')
            {
                if (segmentStart)
                {
                    reason = "a key must not start with '/', end with '/' or contain '//'";
                    return false;
                }

                segmentStart = true;
                continue;
            }

            if (segmentStart && c == '.')
            {
                reason = "a key segment must not start with '.'";
                return false;
            }

            if (!IsAllowed(c))
            {
                reason = $"character '{c}' is not allowed";
                return false;
            }

            segmentStart = false;
        }

        if (segmentStart)
        {
            reason = "a key must not end with '/'";
            return false;
        }

        reason = "";
        return true;
    }

    private static bool IsAllowed(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '=' or '+' or '@' or ',' or ':' or '~';
}
