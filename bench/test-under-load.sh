#!/usr/bin/env bash
# Runs the whole suite (./vigil test) N times in a row while two busy loops keep both cores busy, and prints
# one line per run: green or red, the wall time, and the failing tests. The suite must be green every time:
# no test may depend on how fast the machine is. Usage: bench/test-under-load.sh [RUNS] [extra ./vigil test args]
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUNS="${1:-5}"
shift || true
LOGS="$(mktemp -d)"
busy=()
for _ in 1 2; do
  ( while :; do :; done ) &
  busy+=($!)
done
trap 'kill "${busy[@]}" 2>/dev/null' EXIT
echo "load: ${#busy[@]} busy loops (pids ${busy[*]}) on $(nproc) cores; logs in $LOGS"
green=0
for run in $(seq 1 "$RUNS"); do
  start=$(date +%s)
  if "$ROOT/vigil" test "$@" >"$LOGS/run-$run.log" 2>&1; then
    verdict=green
    green=$((green + 1))
  else
    verdict=red
  fi
  took=$(( $(date +%s) - start ))
  failed="$(grep -hoE '^\[ERROR\]   [A-Za-z0-9_.]+[.:][A-Za-z0-9_]+' "$LOGS/run-$run.log" | sed 's/^\[ERROR\]   //' | sort -u | tr '\n' ' ')"
  echo "run $run: $verdict in ${took} s ${failed:+(failed: $failed)}"
done
echo "$green of $RUNS runs green"
[ "$green" -eq "$RUNS" ]
