#!/usr/bin/env bash
# The hostile-conditions suite in one command: the store's torture tests
# (crash loop, power-loss damage, writers and followers at once) and libFuzzer
# on every parser of outside text, each printing its table of figures.
#   bash Fuzz/suite.sh          short form, as CI runs it (a few minutes)
#   bash Fuzz/suite.sh --long   long form: 1000 kills, 200 damage rounds,
#                               8 x 2000 + 4 x 2000 appends, 10 min per fuzz target
# The terminal's side (escape sequences, resize storm, signals, crashes) runs
# with the tests: `swift test --filter "HostileConditions|DashboardInATerminal"`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--long" ]; then
  swift build -c release --product tierwatch-bench
  .build/release/tierwatch-bench torture --long
  bash Fuzz/run.sh 600
else
  swift build --product tierwatch-bench
  .build/debug/tierwatch-bench torture
  bash Fuzz/run.sh 10
fi
