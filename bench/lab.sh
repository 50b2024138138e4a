#!/usr/bin/env bash
# Issue 4's benchmark: 500,000 records through the reference service (2 ms per request, 50 us per record,
# 8 workers), every strategy, a full grid of chunk x parallel, and `batch tune` against that grid.
# Usage: bench/lab.sh [seconds-per-strategy] [seconds-per-grid-point]   (defaults 20 and 5; ~15 minutes)
# Results go to bench/out/lab-*.txt and the HTML reports next to the input in /tmp.
set -euo pipefail
cd "$(dirname "$0")/.."
PER_STRATEGY=${1:-20}
PER_POINT=${2:-5}
PORT=19190
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
JAR=vigil-app/target/vigil.jar
[ -f "$JAR" ] || ./vigil --version >/dev/null
mkdir -p bench/out
INPUT=/tmp/lab-500k.csv
"$JAVA" -jar "$JAR" lab records --count 500000 --out "$INPUT"
"$JAVA" -jar "$JAR" lab service --port $PORT --bind 127.0.0.1 > bench/out/lab-service.log 2>&1 &
SERVICE=$!
trap 'kill $SERVICE 2>/dev/null || true' EXIT
sleep 3
TARGET=http://127.0.0.1:$PORT
PROTECT='online p99 < 15ms'

"$JAVA" -jar "$JAR" batch compare "$INPUT" --target $TARGET --time-limit ${PER_STRATEGY}s --protect "$PROTECT" \
  --report /tmp/lab-strategies.html --work-dir /tmp/lab-strategies \
  --strategies per-record,chunk:100,parallel:16,chunk:100+parallel:8,chunk:1000+parallel:8,validate-then-load+chunk:100+parallel:8,stream:10000+parallel:4,chunk:100+parallel:8+throttle:20000,chunk:100+parallel:8+adaptive:15ms \
  2>/dev/null | tee bench/out/lab-strategies.txt

GRID=""
for c in 1 10 100 1000; do for p in 1 2 4 8 16 32 64; do
  if [ $c = 1 ]; then s=per-record+parallel:$p; else s=chunk:$c+parallel:$p; fi
  GRID="$GRID${GRID:+,}$s"
done; done
"$JAVA" -jar "$JAR" batch compare "$INPUT" --target $TARGET --time-limit ${PER_POINT}s --protect "$PROTECT" \
  --report /tmp/lab-grid.html --work-dir /tmp/lab-grid --strategies "$GRID" 2>/dev/null | tee bench/out/lab-grid.txt

"$JAVA" -jar "$JAR" batch tune "$INPUT" --target $TARGET --time-per-point ${PER_POINT}s --protect "$PROTECT" \
  --report /tmp/lab-tune.html 2>/dev/null | tee bench/out/lab-tune.txt
