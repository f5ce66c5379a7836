#!/usr/bin/env bash
# Storage throughput: starts a throwaway radosgw, runs the BenchmarkDotNet put/get benchmarks for 1 MB and 20 MB
# objects on the filesystem store and on S3, stops radosgw. Results: BenchmarkDotNet.Artifacts/results/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state="$root/.zkml/bench-storage"
bash "$root/scripts/install.sh"
bash "$root/scripts/services/radosgw.sh" start "$state"
trap 'bash "$root/scripts/services/radosgw.sh" stop "$state"' EXIT
# shellcheck disable=SC1091
source "$state/radosgw.env"
cd "$root"
dotnet run -c Release --project benchmarks/Zkml.Benchmarks -- --filter '*StorageThroughputBenchmarks*' "$@"
