#!/usr/bin/env bash
# Runs every Zkml test on this machine, from a fresh clone:
#   1. installs what the tests need (Debian packages, npm packages, the engine),
#   2. builds the solution,
#   3. starts the live services on 127.0.0.1 (scripts/services/*.sh: anvil, radosgw),
#   4. runs every xunit project and every packaging/consumer check (scripts/checks/*.sh),
#   5. stops the services by PID and prints "N passed, N failed".
# Options: --filter EXPR (passed to dotnet test), --no-services, --keep-results.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)

filter=""
services=1
while [ $# -gt 0 ]; do
  case "$1" in
    --filter) filter="$2"; shift 2 ;;
    --no-services) services=0; shift ;;
    *) echo "test.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# The services outlive a whole CI run (90 minutes) but still stop by themselves if this script is killed.
export ZKML_ANVIL_LIFETIME=${ZKML_ANVIL_LIFETIME:-5400} ZKML_RGW_LIFETIME=${ZKML_RGW_LIFETIME:-5400}

bash scripts/install.sh

echo "== build"
dotnet build Zkml.sln -c Release -nologo -v minimal

state="$root/.zkml/test-run"
rm -rf "$state"; mkdir -p "$state/results"

stop_services() {
  for svc in scripts/services/*.sh; do
    [ -e "$svc" ] || continue
    bash "$svc" stop "$state" || true
  done
}
trap stop_services EXIT

if [ "$services" = 1 ]; then
  for svc in scripts/services/*.sh; do
    [ -e "$svc" ] || continue
    name=$(basename "$svc" .sh)
    echo "== start $name"
    bash "$svc" start "$state"
    # Each service writes the variables the tests read (export lines) to $state/$name.env.
    if [ -f "$state/$name.env" ]; then
      # shellcheck disable=SC1090
      source "$state/$name.env"
    fi
  done
fi

passed=0; failed=0; skipped=0
# count NAME TRX: the value of one attribute of a trx file's <Counters> element (0 when absent).
count() { grep -o '<Counters [^>]*>' "$2" | head -1 | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9][0-9]*' || echo 0; }

for proj in tests/*/*.csproj; do
  grep -q '<IsTestProject>true</IsTestProject>' "$proj" || continue
  name=$(basename "$proj" .csproj)
  echo "== dotnet test $name"
  test_args=(test "$proj" -c Release --no-build -nologo --results-directory "$state/results"
             --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal")
  [ -n "$filter" ] && test_args+=(--filter "$filter")
  set +e
  dotnet "${test_args[@]}" 2>&1 | tee "$state/$name.log"
  rc=${PIPESTATUS[0]}
  set -e
  p=0; f=0; t=0; x=0
  trx="$state/results/$name.trx"
  if [ -f "$trx" ]; then
    p=$(count passed "$trx"); f=$(( $(count failed "$trx") + $(count error "$trx") ))
    t=$(count total "$trx"); x=$(count executed "$trx")
  fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && [ -z "$filter" ]; then
    echo "dotnet test $name exited $rc with no failed test: counted as one failure (no tests, or the test host crashed)"
    f=1
  fi
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + t - x))
done

# Checks that are whole programs rather than xunit tests (packaging, a consumer app, the CLI): each counts as one test.
if [ -z "$filter" ]; then
  for check in scripts/checks/*.sh; do
    [ -e "$check" ] || continue
    name=$(basename "$check" .sh)
    echo "== check $name"
    if bash "$check" "$state" > "$state/check-$name.log" 2>&1; then
      echo "PASS check $name"; passed=$((passed + 1))
    else
      echo "FAIL check $name (log follows)"; tail -40 "$state/check-$name.log"; failed=$((failed + 1))
    fi
  done
fi

echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
