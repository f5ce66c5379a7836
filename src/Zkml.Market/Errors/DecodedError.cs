namespace Zkml.Market;

/// <summary>A decoded revert reason: a custom error, <c>Error(string)</c> or <c>Panic(uint256)</c>.</summary>
/// <param name="Name">The error's name, e.g. <c>Underpayment</c>.</param>
/// <param name="Signature">The canonical signature, e.g. <c>Underpayment(uint256,uint256)</c>.</param>
/// <param name="Arguments">The arguments by parameter name, in declaration order (values as ABI decoding gives them).</param>
public sealed record DecodedError(string Name, string Signature, IReadOnlyList<KeyValuePair<string, object?>> Arguments)
{
    /// <summary>An argument by name.</summary>
    /// <exception cref="KeyNotFoundException">No parameter of that name.</exception>
    public object? this[string name] =>
        Arguments.FirstOrDefault(a => a.Key == name) is { Key: not null } found
            ? found.Value
            : throw new KeyNotFoundException($"{Signature} has no parameter '{name}'.");

    /// <inheritdoc />
    public override string ToString() =>
        Name + "(" + string.Join(", ", Arguments.Select(a => $"{a.Key}={Format(a.Value)}")) + ")";

    private static string Format(object? value) => value switch
    {
        byte[] bytes => HexConverter.ToHex(bytes),
        _ => value?.ToString() ?? "null",
    };
}

