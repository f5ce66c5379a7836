namespace Zkml.Ezkl.Compilation.Circuit;

/// <summary>The kinds of <see cref="CircuitVisibility"/>, in ezkl's declaration order.</summary>
internal enum CircuitVisibilityKind
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

/// <summary>How the inputs, outputs or parameters of a model appear in the proof (ezkl's <c>CircuitVisibility</c>).</summary>
internal sealed record CircuitVisibility
{
    private CircuitVisibility(CircuitVisibilityKind kind, bool hashIsPublic, IReadOnlyList<ulong> outlets)
    {
        Kind = kind;
        HashIsPublic = hashIsPublic;
        Outlets = outlets;
    }

    /// <summary>Private values.</summary>
    public static CircuitVisibility Private { get; } = new(CircuitVisibilityKind.Private, false, []);

    /// <summary>Public values.</summary>
    public static CircuitVisibility Public { get; } = new(CircuitVisibilityKind.Public, false, []);

    /// <summary>Fixed values (parameters only).</summary>
    public static CircuitVisibility Fixed { get; } = new(CircuitVisibilityKind.Fixed, false, []);

    /// <summary>KZG-committed values.</summary>
    public static CircuitVisibility KzgCommit { get; } = new(CircuitVisibilityKind.KzgCommit, false, []);

    /// <summary>The kind of visibility.</summary>
    public CircuitVisibilityKind Kind { get; }

    /// <summary>For <see cref="CircuitVisibilityKind.Hashed"/>: whether the Poseidon hash is a public instance.</summary>
    public bool HashIsPublic { get; }

    /// <summary>For <see cref="CircuitVisibilityKind.Hashed"/>: the outlets that are hashed (ezkl fills this in).</summary>
    public IReadOnlyList<ulong> Outlets { get; }

    /// <summary>Poseidon-hashed values.</summary>
    /// <param name="hashIsPublic">Whether the hash is a public instance.</param>
    /// <param name="outlets">The hashed outlets; usually empty.</param>
    public static CircuitVisibility Hashed(bool hashIsPublic, IReadOnlyList<ulong>? outlets = null) =>
        new(CircuitVisibilityKind.Hashed, hashIsPublic, outlets ?? []);

    /// <summary>Parses ezkl's command-line spelling: <c>private</c>, <c>public</c>, <c>fixed</c>,
    /// <c>hashed</c> (= <c>hashed/public</c>), <c>hashed/private</c>, <c>polycommit</c>.</summary>
    /// <param name="text">The spelling.</param>
    /// <returns>The visibility.</returns>
    /// <exception cref="ArgumentException">The spelling is not one of ezkl's.</exception>
    public static CircuitVisibility Parse(string text) => text.Trim().ToLowerInvariant() switch
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
    public bool IsPublicLike => Kind is CircuitVisibilityKind.Public or CircuitVisibilityKind.Fixed or CircuitVisibilityKind.Hashed or CircuitVisibilityKind.KzgCommit;

    /// <inheritdoc />
    public bool Equals(CircuitVisibility? other) =>
        other is not null && Kind == other.Kind && HashIsPublic == other.HashIsPublic && Outlets.SequenceEqual(other.Outlets);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, HashIsPublic, Outlets.Count);

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        CircuitVisibilityKind.Hashed => HashIsPublic ? "hashed/public" : "hashed/private",
        CircuitVisibilityKind.KzgCommit => "polycommit",
        _ => Kind.ToString().ToLowerInvariant(),
    };
}
