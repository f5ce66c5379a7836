#!/usr/bin/env bash
# The whole Zkml proof market on one machine (the README's first command):
#   installs what it needs, builds the samples, starts a dev chain (anvil) on a free port, starts the provider
#   host (which deploys the market, trains and onboards its model, and runs its proof worker with an in-process
#   2-of-3 verifier committee), runs a few client requests (one of them refunded after its deadline), prints a
#   summary table and leaves the dashboard running.
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
  if [ -f "$state/provider.pid" ]; then kill "$(cat "$state/provider.pid")" 2>/dev/null || true; rm -f "$state/provider.pid"; fi
  bash scripts/services/anvil.sh stop "$state/services" || true
}
if [ "${1:-}" = "stop" ]; then stop; echo "demo stopped"; exit 0; fi

start_time=$(date +%s.%N)
echo "== install"
bash scripts/install.sh

echo "== build the samples"
dotnet build samples/Zkml.Provider/Zkml.Provider.csproj -c Release -nologo -v quiet
dotnet build samples/Zkml.Client/Zkml.Client.csproj -c Release -nologo -v quiet
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
client_storage=(--storage filesystem)
if [ -n "${ZKML_DEMO_S3_ENDPOINT:-}" ]; then
  bucket=${ZKML_DEMO_S3_BUCKET:-zkml-demo-$(date +%s)}
  storage_args=(--Provider:Storage:Kind=s3 "--Provider:Storage:Endpoint=$ZKML_DEMO_S3_ENDPOINT" "--Provider:Storage:Bucket=$bucket"
    "--Provider:Storage:AccessKey=$ZKML_DEMO_S3_ACCESS_KEY" "--Provider:Storage:SecretKey=$ZKML_DEMO_S3_SECRET_KEY"
    "--Provider:Storage:Region=${ZKML_DEMO_S3_REGION:-us-east-1}")
  client_storage=(--storage s3 --s3-endpoint "$ZKML_DEMO_S3_ENDPOINT" --s3-bucket "$bucket"
    --s3-access-key "$ZKML_DEMO_S3_ACCESS_KEY" --s3-secret-key "$ZKML_DEMO_S3_SECRET_KEY")
fi

echo "== start the provider host (deploys the market, trains and onboards the model)"
port=$(node -e 'const s=require("net").createServer(); s.listen(0,"127.0.0.1",()=>{console.log(s.address().port); s.close();})')
url="http://127.0.0.1:$port"
(cd samples/Zkml.Provider/bin/Release/net10.0 && exec setsid dotnet Zkml.Provider.dll --urls "$url" \
  "--Provider:RpcUrl=$rpc" "--Provider:DataDirectory=$data" "--Provider:LifetimeSeconds=$lifetime" "${storage_args[@]}" \
  > "$state/provider.log" 2>&1 < /dev/null) &
echo $! > "$state/provider.pid"
for _ in $(seq 1 600); do
  curl -sf "$url/api/status" > /dev/null 2>&1 && break
  kill -0 "$(cat "$state/provider.pid")" 2>/dev/null || { cat "$state/provider.log" >&2; echo "the provider host stopped" >&2; exit 1; }
  sleep 0.5
done
grep -E 'trained|settings:|SRS|setup done|registered' "$state/provider.log" | sed 's/^ */  /'
ready_time=$(date +%s.%N)

echo "== client requests"
# One request no prover can serve (the client commits on chain to other values than the input it stored):
# the provider refuses it, and after its deadline the client claims the refund.
client request --data "$data" "${client_storage[@]}" --input 0.1,-0.6,0.2,0.5 --commit-to 0.1,-0.6,0.2,0.45 \
  --deadline 25 --refund > "$state/refunded.log" 2>&1 &
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
echo "provider log: $state/provider.log; anvil: $rpc; everything stops by itself in $lifetime s, or run ./demo.sh stop"
