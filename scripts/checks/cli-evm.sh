#!/usr/bin/env bash
# The on-chain verifier verbs of the zkml CLI against the anvil dev chain test.sh starts (ZKML_TEST_RPC_URL): a small
# circuit (the fixture network at new scales, compiled by the CLI) gets its verifier from create-evm-verifier, which
# deploy-evm compiles and deploys under the default code-size limit; verify-evm accepts its proof (exit 0) and refuses
# a tampered one and the fixture circuit's proof (exit 1); verify-deployed matches the deployed verifier to its vk
# (exit 0) and not to the fixture's vk (exit 1); the fixture's verifier deploys under the default limit and accepts its proof.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
rpc=${ZKML_TEST_RPC_URL:?ZKML_TEST_RPC_URL is not set: run through ./test.sh, or start scripts/services/anvil.sh and source its anvil.env}
source "$root/scripts/lib/cli-check.sh" cli-evm "${1:-}"
expect_exit() { local want=$1; shift; set +e; "$@" > stdout.txt 2> stderr.txt; local got=$?; set -e
  cat stdout.txt
  if [ "$got" -ne "$want" ]; then echo "expected exit $want, got $got: $*"; cat stderr.txt; exit 1; fi; }

# A small circuit: the fixture network at scales 4 and 6, k from calibration.
echo '{"input_data":[[0.5,-0.25,1.0,0.75,0.1,-0.6]]}' > calibration.json
echo '{"input_data":[[0.5,-0.25,1.0]]}' > input.json
zkml gen-settings -M "$fixtures/network.onnx" -O settings.json --decomp-base 128 --logrows 8 > /dev/null
zkml calibrate-settings -M "$fixtures/network.onnx" -D calibration.json -O settings.json --scales 4 6 --scale-rebase-multiplier 1 --max-logrows 10 > /dev/null 2>&1
zkml compile-circuit -M "$fixtures/network.onnx" -S settings.json --compiled-circuit network.compiled > /dev/null
k=$(python3 -c "import json; print(json.load(open('settings.json'))['run_args']['logrows'])")
zkml gen-srs --srs-path kzg.srs --logrows "$k" > /dev/null 2>&1
zkml setup -M network.compiled --srs-path kzg.srs --vk-path vk.key --pk-path pk.key > /dev/null
zkml gen-witness -D input.json -M network.compiled -O witness.json > /dev/null
zkml prove -M network.compiled --witness witness.json --pk-path pk.key --proof-path proof.json --srs-path kzg.srs > /dev/null

# create-evm-verifier twice: deterministic.
zkml create-evm-verifier --vk-path vk.key --srs-path kzg.srs --settings-path settings.json --sol-code-path Verifier.sol --abi-path Verifier.abi
zkml create-evm-verifier --vk-path vk.key --srs-path kzg.srs --settings-path settings.json --sol-code-path Verifier2.sol --abi-path Verifier2.abi > /dev/null
cmp Verifier.sol Verifier2.sol
grep -q '"verifyProof"' Verifier.abi

# deploy-evm without a key on anvil (chain id 31337) uses the dev account and says so.
expect_exit 0 zkml deploy-evm --sol-code-path Verifier.sol --rpc-url "$rpc" --addr-path addr.txt
grep -q "anvil's well-known dev account" stderr.txt
addr=$(cat addr.txt)
[[ "$addr" =~ ^0x[0-9a-fA-F]{40}$ ]] || { echo "bad address '$addr'"; exit 1; }

expect_exit 0 zkml verify-evm --proof-path proof.json --addr-verifier "$addr" --rpc-url "$rpc"
grep -q "verified: true" stdout.txt

python3 - <<'PY'
import json
p = json.load(open('proof.json')); p['proof'][200] ^= 1
json.dump(p, open('tampered.json', 'w'))
PY
expect_exit 1 zkml verify-evm --proof-path tampered.json --addr-verifier "$addr" --rpc-url "$rpc"
grep -q "proof is invalid" stderr.txt
expect_exit 1 zkml verify-evm --proof-path "$fixtures/proof.json" --addr-verifier "$addr" --rpc-url "$rpc"

expect_exit 0 zkml verify-deployed --addr-verifier "$addr" --vk-path vk.key --srs-path kzg.srs --settings-path settings.json --rpc-url "$rpc"
expect_exit 1 zkml verify-deployed --addr-verifier "$addr" --vk-path "$fixtures/vk.key" --srs-path "$fixtures/kzg" --settings-path "$fixtures/settings.json" --rpc-url "$rpc"
grep -q "is not the verifier of this key" stderr.txt

# The fixture circuit's verifier (30 advice columns, 35 lookups) fits EIP-170's limit too: deployed on the default
# anvil, it accepts the fixture's proof.
zkml create-evm-verifier --vk-path "$fixtures/vk.key" --srs-path "$fixtures/kzg" --settings-path "$fixtures/settings.json" \
  --sol-code-path Fixture.sol --abi-path Fixture.abi > /dev/null
expect_exit 0 zkml deploy-evm --sol-code-path Fixture.sol --rpc-url "$rpc" --addr-path fixture-addr.txt
expect_exit 0 zkml verify-evm --proof-path "$fixtures/proof.json" --addr-verifier "$(cat fixture-addr.txt)" --rpc-url "$rpc"
grep -q "verified: true" stdout.txt

# Errors: a node that is not there, an address that is not one.
expect_exit 2 zkml verify-evm --proof-path proof.json --addr-verifier "$addr" --rpc-url http://127.0.0.1:9
expect_exit 2 zkml verify-evm --proof-path proof.json --addr-verifier 0x1234 --rpc-url "$rpc"
[ "$(wc -l < stderr.txt)" -eq 1 ] || { echo "error is not one line:"; cat stderr.txt; exit 1; }
echo "cli-evm: ok"
