#!/usr/bin/env bash
# Builds the benchmark runner and runs the side-by-side comparison with Node (see run.py for what is measured).
# ROUNDS=3 (interleaved rounds), CORES=nproc (instances for the throughput test), N/WARM (runs per step).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bash "$root/scripts/install.sh"
dotnet build "$root/benchmarks/Zkml.Benchmarks/Zkml.Benchmarks.csproj" -c Release -nologo -v quiet
exec python3 "$root/benchmarks/side-by-side/run.py"
