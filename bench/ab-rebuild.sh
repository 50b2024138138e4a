#!/usr/bin/env bash
# How fast the pipeline reads a backlog: `vigil rebuild` of one data folder by two (or more) jars in turn, each on a
# fresh copy of the folder, in one sitting. The before/after figures of pipeline-writer changes in docs/BENCHMARKS.md.
#
#   bench/ab-rebuild.sh DATA JAR...
#   java -jar vigil.jar demo --data /tmp/history --port 18700 --no-scheduled-incidents   # Ctrl-C once it says "live"
#   bench/ab-rebuild.sh /tmp/history old.jar new.jar old.jar new.jar
#
# Prints each run's "rebuilt in" line (seconds, windows, cases, alert changes) and its peak memory.
# Build the jar of any commit beside the checkout as bench/ab-ingest.sh says.
set -euo pipefail
DATA="$1"; shift
JAVA="$(ls -d /usr/lib/jvm/*25* 2>/dev/null | head -n1)/bin/java"
[ -x "$JAVA" ] || JAVA=java
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
for JAR in "$@"; do
  rm -rf "$WORK/data" && cp -r "$DATA" "$WORK/data"
  CONFIG="$WORK/data/demo-config/vigil.yaml"
  [ -f "$CONFIG" ] || CONFIG=""
  /usr/bin/time -f "  peak RSS %M KiB, %e s wall, %U s user" -o "$WORK/time" \
    "$JAVA" -jar "$JAR" rebuild --data "$WORK/data" ${CONFIG:+--config "$CONFIG"} 2>/dev/null | grep "rebuilt in" \
    | sed "s|^|$(basename "$JAR"): |"
  cat "$WORK/time"
done
