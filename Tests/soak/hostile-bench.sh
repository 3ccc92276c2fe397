#!/bin/bash
# serve under hostile clients, as a benchmark: a 20,000-event store, serve
# under a descriptor limit of 256 (as a unit's would be), the crowd of
# Tests/soak/hostile-clients.py for SECONDS (default 10), and healthz's p90
# under the crowd held to 100 ms (against a quiet baseline taken in the
# same run; the test suite runs the same script for its behaviour only).
# usage: Tests/soak/hostile-bench.sh [SECONDS]   (after swift build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/.build/debug
seconds=${1:-10}
work=$(mktemp -d /tmp/tierwatch-hostile.XXXXXX)
serve_pid=
cleanup() {
    [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
store=$work/store
"$bin/tierwatch-bench" generate "$store" 20000 >/dev/null
marker=$work/hook-fired
TIERWATCH_STORE=$store "$bin/tierwatch" policy show --yaml > "$work/policy.yaml"
echo "hooks:
  - { name: mark, on: [incident_opened], run: [/usr/bin/touch, $marker] }" >> "$work/policy.yaml"
cp "$work/policy.yaml" "$store/policy.yaml"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
( ulimit -n 256; umask 027
  exec env TIERWATCH_STORE="$store" TIERWATCH_HOST=serve1 TIERWATCH_OPERATOR=alertmanager \
      "$bin/tierwatch" serve --listen "127.0.0.1:$port" 2> "$work/serve.log" ) &
serve_pid=$!
for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
    sleep 0.1
done
raise="TIERWATCH_STORE=$store TIERWATCH_OPERATOR=alice $bin/tierwatch raise --title 'raised in the crowd' --customer acme"
python3 "$root/Tests/soak/hostile-clients.py" "$port" "$serve_pid" "$seconds" "$raise" "$marker" 100
