using Zkml.Ezkl.Compilation.Circuit;

namespace Zkml.Ezkl.Compilation;

/// <summary>Converts between the public settings model (<see cref="CircuitSettings"/>) and the compiler's
/// bincode-faithful <see cref="GraphSettings"/>, through settings.json, the format both read and write.</summary>
internal static class SettingsBridge
{
    public static GraphSettings ToInternal(CircuitSettings settings) => SettingsJson.Read(settings.ToJson());

    public static CircuitRunArgs ToInternal(RunArgs runArgs) => ToInternal(new CircuitSettings { RunArgs = runArgs }).RunArgs;

    public static CircuitSettings ToPublic(GraphSettings settings) => CircuitSettings.Parse(SettingsJson.Write(settings));
}
