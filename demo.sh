#!/usr/bin/env bash
# The whole Zkml proof market on one machine (the README's first command):
#   installs what it needs, builds the samples, starts a dev chain (anvil) on a free port, starts two verifier nodes
#   (samples/Zkml.Verifier: they re-verify every fulfilment, and are the model's 2-of-2 attestation committee when the
#   provider runs with --Provider:Verification=Attestation) and the provider host (which deploys the market, trains
#   and onboards its model, generates, compiles and deploys the model's Halo2 verifier, and runs its proof worker),
#   runs a few client requests (one of them refunded after its deadline), prints a summary table and leaves the
#   dashboard running. Requests settle through on-chain Halo2 verification: the market pays only when the model's
#   verifier accepts the proof. ZKML_DEMO_VERIFICATION=Attestation settles them through the committee instead.
# Storage: the filesystem under .zkml/demo/data (embedded default). For radosgw or Akave O3 set
#   ZKML_DEMO_S3_ENDPOINT, ZKML_DEMO_S3_ACCESS_KEY, ZKML_DEMO_S3_SECRET_KEY (and ZKML_DEMO_S3_BUCKET, ZKML_DEMO_S3_REGION).
# Everything listens on 127.0.0.1 and stops by itself after ZKML_DEMO_LIFETIME seconds (default 3600);
# ./demo.sh stop ends it earlier.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
state="$root/.zkml/demo"
data="$state/data"
lifetime=${ZKML_DEMO_LIFETIME:-3600}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

stop() {
  for p in provider verifier1 verifier2; do
    if [ -f "$state/$p.pid" ]; then kill "$(cat "$state/$p.pid")" 2>/dev/null || true; rm -f "$state/$p.pid"; fi
  done
  bash scripts/services/anvil.sh stop "$state/services" || true
}
if [ "${1:-}" = "stop" ]; then stop; echo "demo stopped"; exit 0; fi

start_time=$(date +%s.%N)
echo "== install"
bash scripts/install.sh

echo "== build the samples"
for project in Provider Verifier Client; do
  dotnet build "samples/Zkml.$project/Zkml.$project.csproj" -c Release -nologo -v quiet -clp:ErrorsOnly
done
client() { dotnet "$root/samples/Zkml.Client/bin/Release/net10.0/zkml-client.dll" "$@"; }

# A previous demo's processes and chain state go; the SRS cache stays.
stop
mkdir -p "$data"
find "$data" -mindepth 1 -maxdepth 1 ! -name srs -exec rm -rf {} +

echo "== start anvil"
ZKML_ANVIL_LIFETIME=$lifetime bash scripts/services/anvil.sh start "$state/services"
# shellcheck disable=SC1091
source "$state/services/anvil.env"
rpc=$ZKML_TEST_RPC_URL

storage_args=(--Provider:Storage:Kind=filesystem)
verifier_storage=(--Verifier:Storage:Kind=filesystem)
client_storage=(--storage filesystem)
if [ -n "${ZKML_DEMO_S3_ENDPOINT:-}" ]; then
  bucket=${ZKML_DEMO_S3_BUCKET:-zkml-demo-$(date +%s)}
  storage_args=(--Provider:Storage:Kind=s3 "--Provider:Storage:Endpoint=$ZKML_DEMO_S3_ENDPOINT" "--Provider:Storage:Bucket=$bucket"
    "--Provider:Storage:AccessKey=$ZKML_DEMO_S3_ACCESS_KEY" "--Provider:Storage:SecretKey=$ZKML_DEMO_S3_SECRET_KEY"
    "--Provider:Storage:Region=${ZKML_DEMO_S3_REGION:-us-east-1}")
  verifier_storage=(--Verifier:Storage:Kind=s3 "--Verifier:Storage:Endpoint=$ZKML_DEMO_S3_ENDPOINT" "--Verifier:Storage:Bucket=$bucket"
    "--Verifier:Storage:AccessKey=$ZKML_DEMO_S3_ACCESS_KEY" "--Verifier:Storage:SecretKey=$ZKML_DEMO_S3_SECRET_KEY"
    "--Verifier:Storage:Region=${ZKML_DEMO_S3_REGION:-us-east-1}")
  client_storage=(--storage s3 --s3-endpoint "$ZKML_DEMO_S3_ENDPOINT" --s3-bucket "$bucket"
    --s3-access-key "$ZKML_DEMO_S3_ACCESS_KEY" --s3-secret-key "$ZKML_DEMO_S3_SECRET_KEY")
fi

# shellcheck source=scripts/lib/free-port.sh
source scripts/lib/free-port.sh
wait_for() { # URL PIDFILE LOG
  for _ in $(seq 1 600); do
    curl -sf "$1" > /dev/null 2>&1 && return 0
    kill -0 "$(cat "$2")" 2>/dev/null || { cat "$3" >&2; echo "$2: the process stopped" >&2; exit 1; }
    sleep 0.5
  done
  echo "$1 did not answer" >&2; exit 1
}

echo "== start two verifier nodes (re-verify fulfilments; the committee with ZKML_DEMO_VERIFICATION=Attestation)"
committee=(0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a 0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba)
verifier_args=()
for i in 1 2; do
  vport=$(free_port)
  (cd samples/Zkml.Verifier/bin/Release/net10.0 && exec setsid dotnet Zkml.Verifier.dll --urls "http://127.0.0.1:$vport" \
    "--Verifier:DataDirectory=$data" "--Verifier:Key=${committee[$((i - 1))]}" "--Verifier:LifetimeSeconds=$lifetime" "${verifier_storage[@]}" \
    > "$state/verifier$i.log" 2>&1 < /dev/null) &
  echo $! > "$state/verifier$i.pid"
  wait_for "http://127.0.0.1:$vport/address" "$state/verifier$i.pid" "$state/verifier$i.log"
  echo "  verifier $i: http://127.0.0.1:$vport, address $(curl -s "http://127.0.0.1:$vport/address")"
  verifier_args+=("--Provider:VerifierUrls:$((i - 1))=http://127.0.0.1:$vport")
done

echo "== start the provider host (deploys the market, trains and onboards the model, deploys its Halo2 verifier)"
port=$(free_port)
url="http://127.0.0.1:$port"
(cd samples/Zkml.Provider/bin/Release/net10.0 && exec setsid dotnet Zkml.Provider.dll --urls "$url" \
  "--Provider:RpcUrl=$rpc" "--Provider:DataDirectory=$data" "--Provider:LifetimeSeconds=$lifetime" "${storage_args[@]}" \
  "--Provider:Verification=${ZKML_DEMO_VERIFICATION:-Halo2}" "${verifier_args[@]}" > "$state/provider.log" 2>&1 < /dev/null) &
echo $! > "$state/provider.pid"
wait_for "$url/api/status" "$state/provider.pid" "$state/provider.log"
grep -E 'trained|calibrated|SRS|setup done|Halo2 verifier|constraint system|EVM verifier|on chain|registered' "$state/provider.log" | sed 's/^ */  /'
ready_time=$(date +%s.%N)

echo "== client requests"
# One request no prover can serve (the client commits on chain to other values than the input it stored):
# the provider refuses it, and after its deadline the client claims the refund.
client request --data "$data" "${client_storage[@]}" --input 0.1,-0.6,0.2,0.5 --commit-to 0.1,-0.6,0.2,0.45 \
  --deadline 15 --refund > "$state/refunded.log" 2>&1 &
refund_pid=$!
client request --data "$data" "${client_storage[@]}" --input 0.6,0.2,-0.4,0.1
client request --data "$data" "${client_storage[@]}" --input -0.5,0.5,0.3,-0.3
client request --data "$data" "${client_storage[@]}" --input 0.1,-0.6,0.2,0.5
wait "$refund_pid" || { cat "$state/refunded.log"; exit 1; }
cat "$state/refunded.log"
sleep 1

echo "== summary"
client summary --host "$url"
end_time=$(date +%s.%N)
awk -v s="$start_time" -v r="$ready_time" -v e="$end_time" 'BEGIN { printf "demo wall time %.0f s (provider ready after %.0f s)\n", e - s, r - s }'
echo
echo "dashboard: $url/"
echo "logs: $state/provider.log, $state/verifier1.log, $state/verifier2.log; anvil: $rpc; everything stops by itself in $lifetime s, or run ./demo.sh stop"
