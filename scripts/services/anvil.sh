#!/usr/bin/env bash
# The anvil dev chain (npm @foundry-rs/anvil-linux-amd64, pinned in tools/anvil) for the Zkml.Market tests.
#   anvil.sh start STATE_DIR   start on 127.0.0.1 on a free port; write STATE_DIR/anvil.pid and STATE_DIR/anvil.env
#   anvil.sh stop  STATE_DIR   stop the process whose PID start wrote
# The node stops by itself after ZKML_ANVIL_LIFETIME seconds (default 3600) if nobody stops it.
set -euo pipefail
cmd=${1:?usage: anvil.sh start|stop STATE_DIR}
state=${2:?usage: anvil.sh start|stop STATE_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../lib/free-port.sh
. "$root/scripts/lib/free-port.sh"
bin="$root/tools/anvil/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"
pidfile="$state/anvil.pid"

case "$cmd" in
  start)
    mkdir -p "$state"
    if [ ! -x "$bin" ]; then
      (cd "$root/tools/anvil" && npm ci --no-audit --no-fund --loglevel=error)
    fi
    # A lifetime the caller sets (test.sh exports one to cover the whole run) wins over the default.
    lifetime=${ZKML_ANVIL_LIFETIME:-3600}
    [[ "$lifetime" =~ ^[1-9][0-9]*$ ]] || { echo "anvil.sh: ZKML_ANVIL_LIFETIME must be whole seconds, not '$lifetime'" >&2; exit 2; }
    for attempt in 1 2 3 4 5; do
      # Ask the kernel for a free port, then hand it to anvil; retry if another process took it meanwhile.
      port=$(free_port)
      # timeout ends anvil after its lifetime; setsid execs timeout in place (no fork), so $! is the PID stop kills.
      setsid timeout --signal=TERM "$lifetime" "$bin" --host 127.0.0.1 --port "$port" --silent \
        > "$state/anvil.log" 2>&1 < /dev/null &
      pid=$!
      echo "$pid" > "$pidfile"
      for _ in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
          echo "export ZKML_TEST_RPC_URL=http://127.0.0.1:$port" > "$state/anvil.env"
          echo "anvil listening on 127.0.0.1:$port (pid $pid, lifetime ${lifetime}s)"
          exit 0
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
      echo "anvil did not start on port $port (attempt $attempt)" >&2
    done
    cat "$state/anvil.log" >&2 || true
    exit 1
    ;;
  stop)
    if [ -f "$pidfile" ]; then
      pid=$(cat "$pidfile")
      # pid is the timeout process leading its own session; ending it ends the anvil child it started.
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$pidfile" "$state/anvil.env"
    fi
    ;;
  *)
    echo "usage: anvil.sh start|stop STATE_DIR" >&2; exit 2 ;;
esac
