#!/usr/bin/env bash
# Installs dist/tierwatch_*.deb, then, in a mount namespace where the Swift
# toolchain's folder is covered by an empty one (so no Swift library can be
# found), runs the installed tierwatch as a user of the package would:
# --version, raise and list --json on a temporary store, the man page, the
# wall in tmux. Then purges the package and checks it left no file behind
# and the store untouched.
#   bash packaging/test-deb.sh
set -euo pipefail
cd "$(dirname "$0")/.."
deb=$(ls dist/tierwatch_*.deb | tail -1)
toolchain=$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")
work=$(mktemp -d)
store="$work/store"
echo "test-deb: installing $deb; hiding the toolchain at $toolchain"
dpkg -i "$deb" >/dev/null
unshare -m bash -euo pipefail -c '
  mount -t tmpfs none "$1"
  store=$2
  # Matches in captured text, not "cmd | grep -q": with pipefail, grep -q
  # leaving early can kill the writer with SIGPIPE (exit 141) at random.
  has() { case "$1" in *"$2"*) return 0 ;; esac; return 1; }
  if command -v swift >/dev/null 2>&1 || [ -e "$1/usr/lib/swift" ]; then echo "test-deb: the toolchain is still visible" >&2; exit 1; fi
  if ldd /usr/bin/tierwatch | grep -i swift; then echo "test-deb: a Swift library is linked" >&2; exit 1; fi
  /usr/bin/tierwatch --version
  id=$(TIERWATCH_HOST=pkg /usr/bin/tierwatch raise --store "$store" --title "Raised from the package" --customer acme --severity sev1 --at -11m)
  listed=$(/usr/bin/tierwatch list --store "$store" --json)
  has "$listed" "Raised from the package" || { echo "test-deb: list --json lacks the incident:" >&2; echo "$listed" >&2; exit 1; }
  echo "test-deb: raised $id and listed it"
  man -w tierwatch
  man -w tierwatch.raise
  tmux -L tierwatch-deb -f /dev/null new-session -d -x 100 -y 30 "TERM=xterm-256color LANG=C.UTF-8 /usr/bin/tierwatch wall --store $store; sleep 30"
  for _ in $(seq 50); do
    has "$(tmux -L tierwatch-deb capture-pane -p)" "BREACHED" && break
    sleep 0.1
  done
  screen=$(tmux -L tierwatch-deb capture-pane -p)
  tmux -L tierwatch-deb kill-server
  has "$screen" "BREACHED" && has "$screen" "Raised from the package" \
    || { echo "test-deb: the wall did not show the breach:" >&2; echo "$screen" >&2; exit 1; }
  echo "test-deb: the wall shows the breach"
  [ -f /usr/lib/systemd/system/tierwatch-serve.service ] || { echo "test-deb: no serve unit" >&2; exit 1; }
  TIERWATCH_HOST=pkg /usr/bin/tierwatch serve --store "$store" --listen 127.0.0.1:19097 2>"$store.serve.log" &
  serve=$!
  for _ in $(seq 50); do has "$(curl -s http://127.0.0.1:19097/healthz || true)" ok && break; sleep 0.1; done
  answer=$(curl -s http://127.0.0.1:19097/api/v1/incidents || true)
  has "$answer" "Raised from the package" \
    || { echo "test-deb: serve did not answer:" >&2; cat "$store.serve.log" >&2; exit 1; }
  kill -TERM $serve
  wait $serve || { echo "test-deb: serve did not exit 0 on SIGTERM" >&2; exit 1; }
  rm -f "$store.serve.log"
  echo "test-deb: serve answered and exited 0 on SIGTERM"
' test-deb "$toolchain" "$store"
files=$(dpkg -L tierwatch | grep -v '^/\.$')
dpkg --purge tierwatch >/dev/null
left=0
for f in $files; do
  if [ -f "$f" ] || [ -L "$f" ]; then echo "test-deb: left behind: $f" >&2; left=1; fi
done
[ -s "$store/events/pkg.log" ] || { echo "test-deb: the store was touched" >&2; left=1; }
rm -rf "$work"
[ $left -eq 0 ] && echo "test-deb: purged; no file left behind; the store untouched"
exit $left
