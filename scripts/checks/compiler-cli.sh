#!/usr/bin/env bash
# The compiler verbs of the zkml CLI as the README shows them: compile-circuit of the fixture network is byte-identical
# to model.compiled; a model gen-settings + calibrate-settings + compile-circuit produced is set up, proved and
# verified by the engine (gen-srs for its k); an unsupported operator and a malformed model exit 2 with a one-line error.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/scripts/lib/cli-check.sh" compiler-cli "${1:-}"
expect_exit() { local want=$1; shift; set +e; "$@" > stdout.txt 2> stderr.txt; local got=$?; set -e
  if [ "$got" -ne "$want" ]; then echo "expected exit $want, got $got: $*"; cat stdout.txt stderr.txt; exit 1; fi; }

zkml compile-circuit -M "$fixtures/network.onnx" -S "$fixtures/settings.json" --compiled-circuit fixture.compiled
cmp fixture.compiled "$fixtures/model.compiled"
zkml table -M "$fixtures/network.onnx" --input-scale 0 --param-scale 0 | grep -q 'Einsum{equation: "mk,nk->mn"}'
zkml table -M "$fixtures/network.onnx" -S "$fixtures/settings.json" > table.txt
grep -q 'total at logrows 6' table.txt && grep -q 'range\[0, 127\]' table.txt

# The fixture network at new scales: gen-settings, calibrate on two samples, compile, then the engine.
echo '{"input_data":[[0.5,-0.25,1.0,0.75,0.1,-0.6]]}' > calibration.json
echo '{"input_data":[[0.5,-0.25,1.0]]}' > input.json
zkml gen-settings -M "$fixtures/network.onnx" -O settings.json --decomp-base 128 --logrows 8
zkml calibrate-settings -M "$fixtures/network.onnx" -D calibration.json -O settings.json --scales 4 6 --scale-rebase-multiplier 1 --max-logrows 10
zkml compile-circuit -M "$fixtures/network.onnx" -S settings.json --compiled-circuit network.compiled
k=$(python3 -c "import json; print(json.load(open('settings.json'))['run_args']['logrows'])")
zkml gen-srs --srs-path kzg.srs --logrows "$k" > /dev/null 2>&1
zkml setup -M network.compiled --srs-path kzg.srs --vk-path vk.key --pk-path pk.key
zkml gen-witness -D input.json -M network.compiled -O witness.json
zkml prove -M network.compiled --witness witness.json --pk-path pk.key --proof-path proof.json --srs-path kzg.srs
expect_exit 0 zkml verify --proof-path proof.json --settings-path settings.json --vk-path vk.key --srs-path kzg.srs

# Bad input: a model with an unsupported operator, and bytes that are not ONNX.
python3 - "$fixtures/network.onnx" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
op_type = b'\x22\x04Relu'   # NodeProto.op_type (field 4, length 4)
assert data.count(op_type) == 1
open('unsupported.onnx', 'wb').write(data.replace(op_type, b'\x22\x04ErfX'))
open('garbage.onnx', 'wb').write(b'this is not an onnx model')
PY
expect_exit 2 zkml gen-settings -M unsupported.onnx -O bad.json
grep -q "ErfX" stderr.txt && grep -q "Supported operators" stderr.txt
[ "$(wc -l < stderr.txt)" -eq 1 ] || { echo "error is not one line:"; cat stderr.txt; exit 1; }
expect_exit 2 zkml compile-circuit -M garbage.onnx -S settings.json --compiled-circuit bad.compiled
grep -q "ONNX" stderr.txt
[ ! -e bad.compiled ] && [ ! -e bad.json ]
echo "compiler-cli: ok"
