#!/usr/bin/env bash
# The compiled-engine disk cache when several processes start at once on an empty cache: all of them verify the
# fixture proof, exactly one compiled module is written, no temporary file is left, and a later process loads it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
state=${1:-$root/.zkml/check}
fixtures=${ZKML_SHARED:-$root/../shared}/fixtures/ezkl-v21.0.0
work="$state/engine-cache-concurrency"
rm -rf "$work"; mkdir -p "$work"
export ZKML_CACHE_DIR="$work/cache"
zkml() { dotnet "$root/src/Zkml.Cli/bin/Release/net10.0/zkml.dll" "$@"; }
verify() { zkml verify --verbose --proof-path "$fixtures/proof.json" --settings-path "$fixtures/settings.json" \
  --vk-path "$fixtures/vk.key" --srs-path "$fixtures/kzg" > "$work/run-$1.log" 2>&1; }

pids=()
for i in 1 2 3; do verify "$i" & pids+=($!); done
for pid in "${pids[@]}"; do wait "$pid"; done

compiled=$(grep -l "compiled in" "$work"/run-*.log | wc -l)
fromcache=$(grep -l "loaded from the disk cache" "$work"/run-*.log | wc -l)
echo "processes that compiled: $compiled, loaded from cache: $fromcache"
[ "$compiled" -eq 1 ] || { echo "expected exactly one process to compile"; tail -5 "$work"/run-*.log; exit 1; }
[ "$fromcache" -eq 2 ] || { echo "expected the two others to load the cache"; exit 1; }
[ "$(find "$ZKML_CACHE_DIR" -name '*.cwasm' | wc -l)" -eq 1 ]
[ "$(find "$ZKML_CACHE_DIR" -name '*.tmp' | wc -l)" -eq 0 ]

verify 4
grep -q "loaded from the disk cache" "$work/run-4.log"
echo "engine-cache-concurrency: ok"
