#!/usr/bin/env bash
# Builds the benchmark runner and runs the side-by-side comparison with Node (see run.py for what is measured).
# ROUNDS=3 (interleaved rounds), CORES=nproc (instances for the throughput test), N/WARM (runs per step).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bash "$root/scripts/install.sh"
# Published ReadyToRun (precompiled, as a deployed provider host would be; see the README's "Start-up" section): a fresh
# process then JIT-compiles little, which first_proof_ms measures (20-30 ms less than a plain build).
case "$(uname -m)" in aarch64 | arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac
dotnet publish "$root/benchmarks/Zkml.Benchmarks/Zkml.Benchmarks.csproj" -c Release -r "$rid" --self-contained false \
  -p:PublishReadyToRun=true -o "$root/benchmarks/Zkml.Benchmarks/bin/side-by-side" -nologo -v quiet
exec python3 "$root/benchmarks/side-by-side/run.py"
