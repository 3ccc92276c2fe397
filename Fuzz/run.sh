#!/usr/bin/env bash
# Fuzz every parser that reads outside text with libFuzzer.
#   bash Fuzz/run.sh [SECONDS_PER_TARGET]    (default 10; the long form is 600)
# Builds tierwatch-fuzz with --sanitize=fuzzer into .build-fuzz, runs each
# target on a copy of its seed corpus, and prints a table: executions and
# crashes per target. A crash's input is saved to Fuzz/regressions/TARGET-*
# (commit it: the tests replay every file there) and the script exits 1.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
swift build -c release --sanitize=fuzzer -Xswiftc -DFUZZING --product tierwatch-fuzz \
  --scratch-path .build-fuzz >/tmp/tierwatch-fuzz-build.log 2>&1 || { tail -30 /tmp/tierwatch-fuzz-build.log; exit 2; }
bin=.build-fuzz/release/tierwatch-fuzz
work=$(mktemp -d)
failed=0
printf '| target | seconds | executions | exec/s | crashes |\n|---|---|---|---|---|\n'
for target in record policy theme when command; do
  mkdir -p "$work/$target"
  cp Fuzz/corpus/$target/* "$work/$target/"
  log="$work/$target.log"
  TIERWATCH_FUZZ_TARGET=$target "$bin" "$work/$target" -max_total_time="$seconds" -max_len=65536 \
    -artifact_prefix="Fuzz/regressions/$target-" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  crashes=0
  if [ $rc -ne 0 ]; then crashes=1; failed=1; grep -m3 -E 'ERROR|Fatal|==' "$log" >&2; fi
  printf '| %s | %s | %s | %s | %s |\n' "$target" "$seconds" "${runs:-0}" "$(( ${runs:-0} / seconds ))" "$crashes"
done
rm -rf "$work"
exit $failed
