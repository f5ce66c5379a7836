#!/usr/bin/env bash
# A local S3 server for development: Ceph radosgw on 127.0.0.1 with a throwaway single-node cluster.
#
#   scripts/s3-dev-server.sh start [DIR]   # prints the endpoint and keys; DIR defaults to .zkml/s3-dev
#   scripts/s3-dev-server.sh stop  [DIR]
#   scripts/s3-dev-server.sh env   [DIR]   # the export lines again (eval "$(scripts/s3-dev-server.sh env)")
#
# Installs the Debian packages it needs when they are missing (scripts/install.sh). The server keeps objects in
# memory and stops by itself after ZKML_RGW_LIFETIME seconds (default 3600 for tests; 8 hours here).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
action=${1:-}; dir=${2:-$root/.zkml/s3-dev}
case "$action" in
  start)
    bash "$root/scripts/install.sh"
    ZKML_RGW_LIFETIME=${ZKML_RGW_LIFETIME:-28800} bash "$root/scripts/services/radosgw.sh" start "$dir"
    cat "$dir/radosgw.env"
    ;;
  stop) bash "$root/scripts/services/radosgw.sh" stop "$dir" ;;
  env) cat "$dir/radosgw.env" ;;
  *) echo "usage: $0 start|stop|env [DIR]" >&2; exit 2 ;;
esac
