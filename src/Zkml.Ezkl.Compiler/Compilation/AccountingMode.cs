namespace Zkml.Ezkl.Compilation;

/// <summary>How total_assignments is estimated.</summary>
public enum AccountingMode
{
    /// <summary>
    /// The layout as the engine will really run it: values an earlier step assigned are not assigned again
    /// (the model output is not re-decomposed, convolutions over assigned images assign only the kernel). The
    /// count is the real usage, so the advice columns are exactly enough; an error here is caught by
    /// <see cref="EzklCompiler.CompileAndSetupAsync"/>, which adds a block and retries.
    /// </summary>
    Tight,

    /// <summary>ezkl's own <c>dummy_layout</c> numbers: nothing is ever considered assigned, which
    /// over-approximates (safe, but may configure more columns than needed).</summary>
    EzklDummy,
}
