namespace Zkml.Ezkl.Compilation;

/// <summary>The kinds of <see cref="Visibility"/>, in ezkl's declaration order.</summary>
public enum VisibilityKind
{
    /// <summary>Witness only: the verifier learns nothing about the values.</summary>
    Private,

    /// <summary>The values are public instances of the proof.</summary>
    Public,

    /// <summary>The values are hashed with Poseidon; the hash is a public instance or stays private.</summary>
    Hashed,

    /// <summary>The values are committed with a KZG commitment (ezkl's <c>polycommit</c>).</summary>
    KzgCommit,

    /// <summary>The values are fixed columns of the circuit (parameters baked into the keys).</summary>
    Fixed,
}

/// <summary>How the inputs, outputs or parameters of a model appear in the proof (ezkl's <c>Visibility</c>).</summary>
public sealed record Visibility
{
    private Visibility(VisibilityKind kind, bool hashIsPublic, IReadOnlyList<ulong> outlets)
    {
        Kind = kind;
        HashIsPublic = hashIsPublic;
        Outlets = outlets;
    }

    /// <summary>Private values.</summary>
    public static Visibility Private { get; } = new(VisibilityKind.Private, false, []);

    /// <summary>Public values.</summary>
    public static Visibility Public { get; } = new(VisibilityKind.Public, false, []);

    /// <summary>Fixed values (parameters only).</summary>
    public static Visibility Fixed { get; } = new(VisibilityKind.Fixed, false, []);

    /// <summary>KZG-committed values.</summary>
    public static Visibility KzgCommit { get; } = new(VisibilityKind.KzgCommit, false, []);

    /// <summary>The kind of visibility.</summary>
    public VisibilityKind Kind { get; }

    /// <summary>For <see cref="VisibilityKind.Hashed"/>: whether the Poseidon hash is a public instance.</summary>
    public bool HashIsPublic { get; }

    /// <summary>For <see cref="VisibilityKind.Hashed"/>: the outlets that are hashed (ezkl fills this in).</summary>
    public IReadOnlyList<ulong> Outlets { get; }

    /// <summary>Poseidon-hashed values.</summary>
    /// <param name="hashIsPublic">Whether the hash is a public instance.</param>
    /// <param name="outlets">The hashed outlets; usually empty.</param>
    public static Visibility Hashed(bool hashIsPublic, IReadOnlyList<ulong>? outlets = null) =>
        new(VisibilityKind.Hashed, hashIsPublic, outlets ?? []);

    /// <summary>Parses ezkl's command-line spelling: <c>private</c>, <c>public</c>, <c>fixed</c>,
    /// <c>hashed</c> (= <c>hashed/public</c>), <c>hashed/private</c>, <c>polycommit</c>.</summary>
    /// <param name="text">The spelling.</param>
    /// <returns>The visibility.</returns>
    /// <exception cref="ArgumentException">The spelling is not one of ezkl's.</exception>
    public static Visibility Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "private" => Private,
        "public" => Public,
        "fixed" => Fixed,
        "hashed" or "hashed/public" => Hashed(true),
        "hashed/private" => Hashed(false),
        "polycommit" or "kzgcommit" => KzgCommit,
        _ => throw new ArgumentException($"unknown visibility '{text}' (expected private, public, fixed, hashed/public, hashed/private or polycommit)", nameof(text)),
    };

    /// <summary>True for visibilities that contribute public instances or fixed values, which ezkl
    /// requires for at least one of input, output or parameters.</summary>
    public bool IsPublicLike => Kind is VisibilityKind.Public or VisibilityKind.Fixed or VisibilityKind.Hashed or VisibilityKind.KzgCommit;

    /// <inheritdoc />
    public bool Equals(Visibility? other) =>
        other is not null && Kind == other.Kind && HashIsPublic == other.HashIsPublic && Outlets.SequenceEqual(other.Outlets);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, HashIsPublic, Outlets.Count);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        VisibilityKind.Hashed => HashIsPublic ? "hashed/public" : "hashed/private",
        VisibilityKind.KzgCommit => "polycommit",
        _ => Kind.ToString().ToLowerInvariant(),
    };
}
