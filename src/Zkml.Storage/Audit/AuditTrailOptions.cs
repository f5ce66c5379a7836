namespace Zkml.Storage.Audit;

/// <summary>Options for <see cref="AuditTrail"/>.</summary>
public sealed class AuditTrailOptions
{
    /// <summary>The key prefix the entries live under, ending with a slash (default <c>audit/</c>).</summary>
    public string Prefix { get; set; } = "audit/";

    /// <summary>How often one append may lose the race for the next sequence number before giving up (default 1000).</summary>
    public int MaxAppendAttempts { get; set; } = 1000;

    /// <summary>The clock for entry timestamps (default: the system clock).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
