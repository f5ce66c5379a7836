#!/usr/bin/env bash
# A throwaway S3 server for the tests: a single-node Ceph cluster (1 monitor, 1 memstore OSD, no manager) and
# radosgw, all on 127.0.0.1, with every file under STATE_DIR/radosgw.
#
#   bash scripts/services/radosgw.sh start STATE_DIR   # writes STATE_DIR/radosgw.pid and STATE_DIR/radosgw.env
#   bash scripts/services/radosgw.sh stop  STATE_DIR   # stops the daemons it started, by PID
#
# radosgw.env exports ZKML_TEST_S3_ENDPOINT, ZKML_TEST_S3_ACCESS_KEY and ZKML_TEST_S3_SECRET_KEY.
# Ports are chosen free at start. The daemons stop by themselves after ZKML_RGW_LIFETIME seconds (default 3600).
# Needs the Debian packages radosgw, ceph-mon, ceph-osd, ceph-common and curl (scripts/apt-packages.txt).
set -euo pipefail
# shellcheck source=../lib/free-port.sh
. "$(dirname "$0")/../lib/free-port.sh"

action=${1:-}; state=${2:-}
if [ -z "$action" ] || [ -z "$state" ]; then
  echo "usage: $0 start|stop STATE_DIR" >&2; exit 2
fi
mkdir -p "$state"
state=$(cd "$state" && pwd)
dir="$state/radosgw"
# A lifetime the caller sets (test.sh exports one to cover the whole run) wins over the default.
lifetime=${ZKML_RGW_LIFETIME:-3600}
if [ "$action" = start ] && ! [[ "$lifetime" =~ ^[1-9][0-9]*$ ]]; then
  echo "radosgw.sh: ZKML_RGW_LIFETIME must be whole seconds, not '$lifetime'" >&2; exit 2
fi

# Kills every daemon this script started (their PIDs are in $dir/pids), then the lifetime watchdog.
stop() {
  if [ -f "$dir/pids" ]; then
    while read -r pid name; do
      [ -n "$pid" ] && kill "$pid" 2>/dev/null && echo "stopped $name ($pid)" || true
    done < "$dir/pids"
    # Give the daemons a moment to exit, then force the ones that are left.
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      alive=0
      while read -r pid _; do kill -0 "$pid" 2>/dev/null && alive=1; done < "$dir/pids"
      [ "$alive" = 0 ] && break
      sleep 0.5
    done
    while read -r pid _; do kill -9 "$pid" 2>/dev/null || true; done < "$dir/pids"
    rm -f "$dir/pids"
  fi
  if [ -f "$state/radosgw-watchdog.pid" ]; then
    local watchdog
    watchdog=$(cat "$state/radosgw-watchdog.pid")
    rm -f "$state/radosgw-watchdog.pid"
    # The watchdog runs this very function when the lifetime ends (exec: same PID); it must not kill itself.
    [ "$watchdog" != "$$" ] && kill "$watchdog" 2>/dev/null || true
  fi
  rm -f "$state/radosgw.pid" "$state/radosgw.env"
  # The memstore OSD keeps its objects in memory; the folder holds only config, keys and logs.
  rm -rf "$dir"
}

pid_of() { cat "$dir/run/$1.pid" 2>/dev/null || true; }

record_pid() {
  local pid
  for _ in $(seq 1 50); do
    pid=$(pid_of "$1"); [ -n "$pid" ] && break; sleep 0.2
  done
  [ -n "$pid" ] || { echo "radosgw.sh: $1 did not start (log: $dir/log/$1.log)" >&2; return 1; }
  echo "$pid $1" >> "$dir/pids"
}

# Starts the cluster once on new free ports; a daemon that cannot bind (another process took its port between
# free_port and the bind) makes it fail, stopping whatever it had started, so that start can try again.
start_once() {
  rm -rf "$dir"; mkdir -p "$dir"/{run,log,mon/ceph-a,osd/ceph-0,rgw}
  # If anything below fails, leave nothing running.
  trap 'echo "radosgw.sh: start failed; logs in $dir/log" >&2; tail -20 "$dir"/log/*.log 2>/dev/null >&2 || true; stop' ERR

  local fsid mon_port rgw_port access_key secret_key conf
  fsid=$(cat /proc/sys/kernel/random/uuid)
  mon_port=$(free_port); rgw_port=$(free_port)
  while [ "$rgw_port" = "$mon_port" ]; do rgw_port=$(free_port); done
  access_key="ZKML$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n' | tr 'a-f' 'A-F')"
  secret_key=$(od -An -tx1 -N20 /dev/urandom | tr -d ' \n')
  conf="$dir/ceph.conf"

  cat > "$conf" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $dir/keyring
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
mon max pg per osd = 1000
run dir = $dir/run
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
pid file = $dir/run/\$name.pid
mon data = $dir/mon/\$cluster-\$id
osd data = $dir/osd/\$cluster-\$id
osd objectstore = memstore
memstore device bytes = 2147483648
ms bind ipv6 = false
ms bind msgr1 = false
[client.rgw.gw]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw data = $dir/rgw
rgw dns name = 127.0.0.1
CONF

  local c=(-c "$conf")
  # The ceph client gives up after 60 s instead of waiting forever for a monitor that could not bind its port.
  local ceph_cli=(ceph -c "$conf" --connect-timeout 60)
  ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' > /dev/null
  ceph-authtool "$dir/keyring" --gen-key -n client.admin --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' > /dev/null
  ceph-authtool "$dir/keyring" --gen-key -n osd.0 --cap mon 'allow profile osd' --cap osd 'allow *' --cap mgr 'allow profile osd' > /dev/null
  ceph-authtool "$dir/keyring" --gen-key -n client.rgw.gw --cap mon 'allow rw' --cap osd 'allow rwx' --cap mgr 'allow rw' > /dev/null
  monmaptool --create --addv a "[v2:127.0.0.1:$mon_port]" --fsid "$fsid" "$dir/monmap" > /dev/null

  ceph-mon --mkfs -i a --monmap "$dir/monmap" --keyring "$dir/keyring" "${c[@]}"
  ceph-mon -i a "${c[@]}"
  record_pid mon.a
  "${ceph_cli[@]}" osd create > /dev/null
  ceph-osd -i 0 --mkfs "${c[@]}" 2> /dev/null
  "${ceph_cli[@]}" osd crush add-bucket localhost host > /dev/null 2>&1
  "${ceph_cli[@]}" osd crush move localhost root=default > /dev/null 2>&1
  "${ceph_cli[@]}" osd crush add osd.0 1.0 host=localhost > /dev/null 2>&1
  ceph-osd -i 0 "${c[@]}" 2> /dev/null
  record_pid osd.0
  radosgw -n client.rgw.gw "${c[@]}"
  record_pid client.rgw.gw

  # The watchdog stops the daemons after the lifetime limit if nobody called stop.
  local self
  self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
  # It records its own PID, so that stop can end it, whether or not setsid had to fork.
  nohup setsid bash -c 'echo $$ > "$1"; sleep "$2" & s=$!; trap "kill $s; exit 0" TERM; wait $s; exec bash "$3" stop "$4"' _ \
    "$state/radosgw-watchdog.pid" "$lifetime" "$self" "$state" > /dev/null 2>&1 &

  # Ready when OUR radosgw answers: its own log must show the probe request (another server, maybe another
  # agent's radosgw, could hold the port if radosgw lost the race for it; then radosgw logs a bind failure and exits).
  local ok=0 probe rgw_log="$dir/log/client.rgw.gw.log"
  probe="zkml-probe-$(od -An -tx1 -N6 /dev/urandom | tr -d ' \n')"
  for _ in $(seq 1 120); do
    if grep -qs "Address already in use\|failed initializing frontend" "$rgw_log" || ! kill -0 "$(pid_of client.rgw.gw)" 2>/dev/null; then
      echo "radosgw.sh: radosgw could not bind 127.0.0.1:$rgw_port" >&2; false
    fi
    curl -s -o /dev/null "http://127.0.0.1:$rgw_port/$probe" || true
    if grep -qs "$probe" "$rgw_log"; then ok=1; break; fi
    sleep 0.5
  done
  [ "$ok" = 1 ] || { echo "radosgw.sh: radosgw did not answer on port $rgw_port" >&2; false; }
  radosgw-admin "${c[@]}" user create --uid=zkml --display-name=zkml \
    --access-key="$access_key" --secret="$secret_key" > /dev/null 2>&1

  pid_of client.rgw.gw > "$state/radosgw.pid"
  cat > "$state/radosgw.env" <<ENV
export ZKML_TEST_S3_ENDPOINT=http://127.0.0.1:$rgw_port
export ZKML_TEST_S3_ACCESS_KEY=$access_key
export ZKML_TEST_S3_SECRET_KEY=$secret_key
ENV
  trap - ERR
  echo "radosgw ready on http://127.0.0.1:$rgw_port (state in $dir, stops by itself after ${lifetime}s)"
}

start() {
  for cmd in ceph-mon ceph-osd radosgw ceph ceph-authtool monmaptool radosgw-admin curl node; do
    command -v "$cmd" > /dev/null || { echo "radosgw.sh: $cmd missing: run scripts/install.sh" >&2; exit 1; }
  done
  [ -f "$dir/pids" ] && stop
  local attempt rc
  for attempt in 1 2 3; do
    # A subshell, so that set -e ends this attempt (its ERR trap stops what it started) and not the script.
    set +e
    ( set -e; start_once )
    rc=$?
    set -e
    [ "$rc" = 0 ] && return 0
    echo "radosgw.sh: start attempt $attempt failed; retrying on new ports" >&2
  done
  exit 1
}

case "$action" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop STATE_DIR" >&2; exit 2 ;;
esac
