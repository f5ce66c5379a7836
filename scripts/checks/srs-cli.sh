#!/usr/bin/env bash
# The SRS verbs of the built zkml CLI: gen-srs writes a valid unsafe SRS and says so loudly; get-srs fetches the
# public k = 1 file from a local path, checks its sha256 and caches it; a one-byte change and an unknown k fail
# with exit code 2 (the CLI's error code) and leave no output file; a k = 8 SRS is downsized on the fly by setup,
# prove and verify of the k = 6 fixture circuit, and a proof does not verify against another unsafe SRS.
set -euo pipefail
cd "$(dirname "$0")/../.."
state="$1"
work="$state/srs-cli"
rm -rf "$work"; mkdir -p "$work"
shared="${ZKML_SHARED:-$(cd .. && pwd)/shared}"
fixtures="$shared/fixtures/ezkl-v21.0.0"
zkml() { dotnet src/Zkml.Cli/bin/Release/net10.0/zkml.dll "$@"; }
export XDG_CACHE_HOME="$work/xdg-cache"   # keep the CLI's caches inside this run
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "-- gen-srs k = 6"
zkml gen-srs --srs-path "$work/kzg6" --logrows 6 >"$work/gen.out" 2>"$work/gen.err" || fail "gen-srs exited $?"
[ "$(stat -c %s "$work/kzg6")" = 8452 ] || fail "gen-srs k = 6 wrote $(stat -c %s "$work/kzg6") bytes, expected 8452"
grep -q UNSAFE "$work/gen.err" || fail "gen-srs did not warn that the SRS is unsafe"
head -c 4 "$work/kzg6" | od -An -tu4 | grep -qw 6 || fail "gen-srs header is not k = 6"
cmp -s "$work/kzg6" "$fixtures/kzg" && fail "gen-srs reproduced the fixture: tau is not random"

echo "-- get-srs k = 1 from a local copy"
zkml get-srs --srs-path "$work/kzg1.srs" --logrows 1 --url "$fixtures/kzg1.srs" --cache-dir "$work/cache" >"$work/get.out" 2>"$work/get.err" \
  || fail "get-srs exited $?: $(cat "$work/get.err")"
cmp "$work/kzg1.srs" "$fixtures/kzg1.srs" || fail "get-srs output differs from the public file"
cmp "$work/cache/kzg1.srs" "$fixtures/kzg1.srs" || fail "get-srs did not cache the verified file"
grep -q cafb2aa72c200ddc4e28aacabb8066e829207e2484b8d17059a566232f8a297b "$work/get.out" || fail "get-srs did not print the pinned sha256"

echo "-- get-srs rejects a one-byte change"
cp "$fixtures/kzg1.srs" "$work/tampered.srs"
printf '\x55' | dd of="$work/tampered.srs" bs=1 seek=200 conv=notrunc status=none
set +e
zkml get-srs --srs-path "$work/bad.srs" --logrows 1 --url "$work/tampered.srs" --cache-dir "$work/cache2" >/dev/null 2>"$work/bad.err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "get-srs on a tampered file exited $rc, expected 2"
grep -q sha256 "$work/bad.err" || fail "get-srs error does not mention sha256: $(cat "$work/bad.err")"
[ ! -e "$work/bad.srs" ] || fail "get-srs wrote the tampered file"
[ -z "$(ls -A "$work/cache2" 2>/dev/null)" ] || fail "get-srs cached the tampered file"

echo "-- get-srs rejects a k without a public file"
set +e
zkml get-srs --srs-path "$work/k27.srs" --logrows 27 --cache-dir "$work/cache3" >/dev/null 2>"$work/k27.err"
rc=$?
set -e
[ "$rc" = 2 ] || fail "get-srs --logrows 27 exited $rc, expected 2"
grep -q "k = 27" "$work/k27.err" || fail "unclear error for k = 27: $(cat "$work/k27.err")"

echo "-- a generated k = 8 SRS serves the k = 6 fixture circuit through setup (k read from the circuit), prove and verify (downsized on the fly)"
zkml gen-srs --srs-path "$work/kzg8" --logrows 8 >/dev/null 2>&1 || fail "gen-srs k = 8"
zkml setup -M "$fixtures/model.compiled" --srs-path "$work/kzg8" --vk-path "$work/vk.key" --pk-path "$work/pk.key" >/dev/null \
  || fail "setup with a downsized SRS"
[ "$(head -c 2 "$work/vk.key" | tail -c 1 | od -An -tu1 | tr -d ' ')" = 6 ] || fail "setup did not read k = 6 from the circuit (vk is not for k = 6)"
zkml gen-witness -D "$fixtures/input.json" -M "$fixtures/model.compiled" -O "$work/witness.json" >/dev/null || fail "gen-witness"
zkml prove -M "$fixtures/model.compiled" --witness "$work/witness.json" --pk-path "$work/pk.key" --proof-path "$work/proof.json" --srs-path "$work/kzg8" >/dev/null \
  || fail "prove with a downsized SRS"
zkml verify --proof-path "$work/proof.json" --settings-path "$fixtures/settings.json" --vk-path "$work/vk.key" --srs-path "$work/kzg8" >"$work/verify.out" \
  || fail "verify with a downsized SRS exited $?"
grep -q "verified: true" "$work/verify.out" || fail "verify did not say true"
ls "$XDG_CACHE_HOME"/zkml/srs/downsized/kzg6-*.srs >/dev/null 2>&1 || fail "the downsized SRS was not cached"
set +e
zkml verify --proof-path "$work/proof.json" --settings-path "$fixtures/settings.json" --vk-path "$work/vk.key" --srs-path "$work/kzg6" >/dev/null 2>&1
rc=$?
set -e
[ "$rc" = 1 ] || fail "a proof made with one unsafe SRS verified against another (exit $rc, expected 1)"

echo "srs-cli: all checks passed"
