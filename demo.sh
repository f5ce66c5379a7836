#!/usr/bin/env bash
# The whole Zkml market on one machine (see README). Filled in as the samples land.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install.sh
echo "demo: not yet assembled"
