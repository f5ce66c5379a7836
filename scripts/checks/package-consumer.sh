#!/usr/bin/env bash
# Zkml.Ezkl as another .NET application gets it: `dotnet pack` into a local folder feed, a tiny console app
# (under .zkml/, outside the solution and its build settings) that references the package from that feed, then
# proves and verifies the fixture with it. Checks that the engine file travels in the package and is copied to the
# consumer's output by the package's buildTransitive targets.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
state=${1:-$root/.zkml/check}
fixtures=${ZKML_SHARED:-$root/../shared}/fixtures/ezkl-v21.0.0
work="$root/.zkml/package-consumer"
rm -rf "$work"; mkdir -p "$work/feed" "$work/app"
# A unique version per run, so NuGet's global cache never serves an older build of the package.
version="0.1.0-check.$(date +%s)"

dotnet pack "$root/src/Zkml.Ezkl/Zkml.Ezkl.csproj" -c Release -o "$work/feed" -p:Version="$version" -nologo -v quiet
# (The listing goes to a file: `unzip | grep -q` would fail under pipefail when grep stops reading early.)
unzip -l "$work/feed/Zkml.Ezkl.$version.nupkg" > "$work/package-files.txt"
grep -q "engine/ezkl_bg.wasm" "$work/package-files.txt"
grep -q "buildTransitive/Zkml.Ezkl.targets" "$work/package-files.txt"
grep -q "lib/net10.0/Zkml.Ezkl.xml" "$work/package-files.txt"
test -f "$work/feed/Zkml.Ezkl.$version.snupkg"
# The engine package must not pull the compiler's heavy dependencies (ONNX Runtime, Protobuf) into its consumers.
unzip -p "$work/feed/Zkml.Ezkl.$version.nupkg" Zkml.Ezkl.nuspec > "$work/engine.nuspec"
if grep -qiE 'OnnxRuntime|Google.Protobuf' "$work/engine.nuspec"; then echo "package-consumer: Zkml.Ezkl depends on the compiler's packages" >&2; exit 1; fi
# The compiler package depends on the engine package and brings ONNX Runtime itself.
dotnet pack "$root/src/Zkml.Ezkl.Compiler/Zkml.Ezkl.Compiler.csproj" -c Release -o "$work/feed" -p:Version="$version" -nologo -v quiet
unzip -p "$work/feed/Zkml.Ezkl.Compiler.$version.nupkg" Zkml.Ezkl.Compiler.nuspec > "$work/compiler.nuspec"
grep -q "id=\"Zkml.Ezkl\" version=\"$version\"" "$work/compiler.nuspec"
grep -q 'id="Microsoft.ML.OnnxRuntime"' "$work/compiler.nuspec"

cd "$work/app"
# Stop MSBuild from importing the repository's Directory.*.props: this is a stranger's project.
echo '<Project />' > Directory.Build.props
echo '<Project />' > Directory.Build.targets
echo '<Project />' > Directory.Packages.props
cat > nuget.config <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$work/feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML
cat > Consumer.csproj <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Zkml.Ezkl" Version="$version" />
  </ItemGroup>
</Project>
XML
cat > Program.cs <<'CS'
using Zkml.Ezkl;

var fixtures = args[0];
var circuit = CompiledCircuit.Load(Path.Combine(fixtures, "model.compiled"));
if (circuit.Logrows != 6) { Console.WriteLine($"consumer: logrows {circuit.Logrows}, expected 6"); return 1; }
var srs = Srs.Load(Path.Combine(fixtures, "kzg"));
await using var engine = await EzklEngine.CreateAsync();
var witness = await engine.GenerateWitnessAsync(circuit, ModelInput.Load(Path.Combine(fixtures, "input.json")));
var keys = await engine.SetupAsync(circuit, srs);
var proof = await engine.ProveAsync(witness, keys.ProvingKey, circuit, srs);
var result = await engine.VerifyAsync(proof, keys.VerifyingKey, CircuitSettings.Load(Path.Combine(fixtures, "settings.json")), srs);
Console.WriteLine($"consumer: proof of {proof.Length} bytes verified: {result.IsValid}");
return result.IsValid ? 0 : 1;
CS
dotnet build -c Release -nologo -v quiet
test -f bin/Release/net10.0/ezkl_bg.wasm
if [ -n "$(find bin/Release/net10.0 -iname '*onnxruntime*' -print -quit)" ]; then echo "package-consumer: ONNX Runtime in an engine-only app" >&2; exit 1; fi
dotnet bin/Release/net10.0/Consumer.dll "$fixtures"
echo "package-consumer: ok"
