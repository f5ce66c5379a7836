namespace Zkml.Ezkl;

/// <summary>The datum type a value is quantized as (ezkl's input types), for <see cref="EzklEngine.FloatToFeltAsync"/>.</summary>
public enum NumericType
{
    /// <summary>32-bit float (ezkl's default for model inputs).</summary>
    F32,

    /// <summary>16-bit float.</summary>
    F16,

    /// <summary>64-bit float.</summary>
    F64,

    /// <summary>Integer.</summary>
    Int,

    /// <summary>Boolean (0 or 1).</summary>
    Bool,
}
