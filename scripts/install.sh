#!/usr/bin/env bash
# Installs everything the build, the tests and the demo need on a fresh machine. Idempotent and quick
# when everything is already there.
#   - Debian packages listed in scripts/apt-packages.txt (only when one is missing),
#   - npm packages of every folder with a package-lock.json (npm ci, only when node_modules is stale).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in dotnet node npm; do
  command -v "$tool" > /dev/null || { echo "install.sh: '$tool' is not on PATH: Zkml needs the .NET 10 SDK and Node.js 20 with npm" >&2; exit 1; }
done

missing=()
while read -r pkg _; do
  case "$pkg" in ''|'#'*) continue ;; esac
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done < scripts/apt-packages.txt
if [ ${#missing[@]} -gt 0 ]; then
  echo "== apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi

while read -r lock; do
  dir=$(dirname "$lock")
  # npm ci again only when the lock changed since the last install.
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$lock" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "== npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done < <(find . -name package-lock.json -not -path '*/node_modules/*' -not -path './.zkml/*' | sort)
