namespace Zkml.Ezkl.Compilation;

/// <summary>The ONNX -> circuit compiler could not do what was asked. Subclasses say why.</summary>
public class EzklCompilationException : EzklException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause, if any.</param>
    public EzklCompilationException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>The ONNX file is not a model Zkml can read: bad protobuf, missing graph, external data,
/// inconsistent shapes or dangling tensor names.</summary>
public sealed class OnnxModelException : EzklCompilationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong with the model.</param>
    /// <param name="innerException">The cause, if any.</param>
    public OnnxModelException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}

/// <summary>The model uses an operator (or an attribute of one) that the compiler does not support.
/// Zkml never emits a silently wrong circuit instead.</summary>
public sealed class UnsupportedOperatorException : EzklCompilationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="opType">The ONNX op type.</param>
    /// <param name="nodeName">The ONNX node name (may be empty).</param>
    /// <param name="detail">What exactly is unsupported, or null for the op as a whole.</param>
    /// <param name="supported">The op types the compiler supports.</param>
    public UnsupportedOperatorException(string opType, string nodeName, string? detail, IEnumerable<string> supported)
        : base(BuildMessage(opType, nodeName, detail, supported))
    {
        OpType = opType;
        NodeName = nodeName;
        SupportedOperators = supported.ToArray();
    }

    /// <summary>The ONNX op type that is not supported.</summary>
    public string OpType { get; }

    /// <summary>The ONNX node's name.</summary>
    public string NodeName { get; }

    /// <summary>The op types the compiler supports.</summary>
    public IReadOnlyList<string> SupportedOperators { get; }

    private static string BuildMessage(string opType, string nodeName, string? detail, IEnumerable<string> supported) =>
        $"ONNX operator {opType} (node '{nodeName}') is not supported" + (detail is null ? string.Empty : ": " + detail) +
        ". Supported operators: " + string.Join(", ", supported.Order(StringComparer.Ordinal)) + ".";
}

/// <summary>Calibration found no candidate scale set whose witness could be generated.</summary>
public sealed class CalibrationException : EzklCompilationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Why calibration failed.</param>
    /// <param name="innerException">The cause, if any.</param>
    public CalibrationException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
