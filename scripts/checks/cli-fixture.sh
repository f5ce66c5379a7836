#!/usr/bin/env bash
# The zkml CLI on the ezkl v21.0.0 fixture, as the README shows it: gen-witness reproduces witness.json, setup
# reproduces vk.key and pk.key, prove writes a proof that verify accepts (exit 0); a tampered proof exits 1, a
# trapping (truncated) key and a missing file exit 2 with a one-line error.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/scripts/lib/cli-check.sh" cli-fixture "${1:-}"
expect_exit() { local want=$1; shift; set +e; "$@" 2> stderr.txt; local got=$?; set -e
  if [ "$got" -ne "$want" ]; then echo "expected exit $want, got $got: $*"; cat stderr.txt; exit 1; fi; }

zkml gen-witness -D "$fixtures/input.json" -M "$fixtures/model.compiled" -O witness.json
cmp witness.json "$fixtures/witness.json"
zkml setup -M "$fixtures/model.compiled" --srs-path "$fixtures/kzg" --vk-path vk.key --pk-path pk.key
cmp vk.key "$fixtures/vk.key"
cmp pk.key "$fixtures/pk.key"
zkml prove -M "$fixtures/model.compiled" --witness witness.json --pk-path pk.key --proof-path proof.json --srs-path "$fixtures/kzg"
expect_exit 0 zkml verify --proof-path proof.json --settings-path "$fixtures/settings.json" --vk-path vk.key --srs-path "$fixtures/kzg"
expect_exit 0 zkml verify --proof-path "$fixtures/proof.json" --settings-path "$fixtures/settings.json" --vk-path vk.key --srs-path "$fixtures/kzg"

python3 - <<'PY'
import json
p = json.load(open('proof.json')); p['proof'][100] ^= 1
json.dump(p, open('tampered.json', 'w'))
PY
expect_exit 1 zkml verify --proof-path tampered.json --settings-path "$fixtures/settings.json" --vk-path vk.key --srs-path "$fixtures/kzg"
grep -q "proof is invalid" stderr.txt

head -c 1000 vk.key > vk.truncated
expect_exit 2 zkml verify --proof-path proof.json --settings-path "$fixtures/settings.json" --vk-path vk.truncated --srs-path "$fixtures/kzg"
grep -q "panicked" stderr.txt
[ "$(wc -l < stderr.txt)" -eq 1 ] || { echo "error is not one line:"; cat stderr.txt; exit 1; }

expect_exit 2 zkml verify --proof-path missing.json --settings-path "$fixtures/settings.json" --vk-path vk.key --srs-path "$fixtures/kzg"

zkml encode-evm-calldata --proof-path proof.json --calldata-path calldata.bytes
[ "$(head -c 4 calldata.bytes | od -An -tx1 | tr -d ' \n')" = "1e8e1e13" ]
echo "cli-fixture: ok"
