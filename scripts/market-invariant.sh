#!/usr/bin/env bash
# A longer run of the market's invariant test (tests/Zkml.Market.Tests/InvariantTests.cs; the suite runs 1,000 steps
# with a fixed seed) on an anvil of its own: after every random operation the market's ether must equal credits +
# escrow + burned collateral, and every credit must equal what an indexer rebuilt from the events.
# Usage: scripts/market-invariant.sh [steps (default 20000)] [seed (default random)]
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-20000}
seed=${2:-$RANDOM}
state=$(mktemp -d)
trap 'bash scripts/services/anvil.sh stop "$state" > /dev/null; rm -rf "$state"' EXIT
bash scripts/services/anvil.sh start "$state"
# shellcheck disable=SC1091
source "$state/anvil.env"
dotnet build tests/Zkml.Market.Tests -c Release -nologo -v quiet -clp:ErrorsOnly
echo "== $steps steps, seed $seed"
ZKML_INVARIANT_STEPS=$steps ZKML_INVARIANT_SEED=$seed dotnet test tests/Zkml.Market.Tests -c Release --no-build -nologo \
  --filter "FullyQualifiedName~InvariantTests" --logger "console;verbosity=detailed"
