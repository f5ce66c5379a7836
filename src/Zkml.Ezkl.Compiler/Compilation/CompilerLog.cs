using Microsoft.Extensions.Logging;

namespace Zkml.Ezkl.Compilation;

internal static partial class CompilerLog
{
    [LoggerMessage(100, LogLevel.Information, "compiled ONNX model into {NodeCount} circuit nodes in {ElapsedMs} ms")]
    public static partial void Compiled(ILogger logger, int nodeCount, long elapsedMs);

    [LoggerMessage(101, LogLevel.Information, "generated settings: logrows {Logrows}, {Rows} rows, {Assignments} assignments, {Constants} constants")]
    public static partial void SettingsGenerated(ILogger logger, int logrows, long rows, long assignments, long constants);

    [LoggerMessage(102, LogLevel.Warning, "setup rejected total_assignments {Assignments} ({Blocks} column blocks): {Reason}; retrying with one more block")]
    public static partial void SetupRejectedAssignments(ILogger logger, long assignments, long blocks, string reason);

    [LoggerMessage(103, LogLevel.Information, "calibration candidate input {InputScale} param {ParamScale} x{Multiplier}: {Outcome}")]
    public static partial void CalibrationCandidate(ILogger logger, int inputScale, int paramScale, uint multiplier, string outcome);

    [LoggerMessage(104, LogLevel.Information, "calibration chose input {InputScale} param {ParamScale} x{Multiplier}, logrows {Logrows}, max output error {MaxError}")]
    public static partial void CalibrationChose(ILogger logger, int inputScale, int paramScale, uint multiplier, uint logrows, double maxError);
}
