# Sourced by the zkml CLI checks after they set $root: `source "$root/scripts/lib/cli-check.sh" NAME "${1:-}"`.
# Sets state (the check's state dir, default .zkml/check), fixtures (the ezkl v21.0.0 reference assets) and work (an
# empty folder for this check, made the current directory), and defines zkml (the CLI the build produced).
state=${2:-$root/.zkml/check}
fixtures=${ZKML_SHARED:-$root/../shared}/fixtures/ezkl-v21.0.0
work="$state/$1"
rm -rf "$work"; mkdir -p "$work"; cd "$work"
zkml() { dotnet "$root/src/Zkml.Cli/bin/Release/net10.0/zkml.dll" "$@"; }
