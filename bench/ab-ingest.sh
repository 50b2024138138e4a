#!/usr/bin/env bash
# Acknowledged items per second of two (or more) Vigil jars on one body, interleaved, in one sitting: the
# before/after figures of ingest-path changes in docs/BENCHMARKS.md.
#
#   bench/ab-ingest.sh BODY CONTENT-TYPE PATH ITEMS-PER-BODY JAR...
#   python3 bench/bodies.py /tmp/bodies     # writes spans-1000.pb (OTLP protobuf) and the Zipkin JSON bodies
#   bench/ab-ingest.sh /tmp/bodies/spans-1000.pb application/x-protobuf /v1/traces 1000 old.jar new.jar old.jar new.jar
#
# Each jar in turn: a fresh server with a fresh data folder, wrk -t2 -c8 for 10 s of warm-up (discarded), then
# 30 s measured (SECS=60 bench/ab-ingest.sh ... for the issue's "sustained 60 s"); after the run, how far the event
# table's loader is behind. Keep a jar of the old build by copying vigil-app/target/vigil.jar before rebuilding,
# or build the jar of any commit beside the checkout:
#   git worktree add /tmp/vigil-old COMMIT && (cd /tmp/vigil-old && ./vigil build) && cp /tmp/vigil-old/vigil-app/target/vigil.jar old.jar
set -euo pipefail
BODY="$1"; CTYPE="$2"; URLPATH="$3"; ITEMS="$4"; shift 4
PORT=18600
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
JAVA="$(ls -d /usr/lib/jvm/*25* 2>/dev/null | head -n1)/bin/java"
[ -x "$JAVA" ] || JAVA=java
WORK="$(mktemp -d)"
trap 'pkill -f "serve --port $PORT" || true; rm -rf "$WORK"' EXIT
cat >"$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "$CTYPE"
local f = assert(io.open("$BODY", "rb"))
wrk.body = f:read("*a")
f:close()
function done(summary, latency, requests)
  io.write(string.format("ok/s: %.1f  non-2xx: %d\n", (summary.requests - summary.errors.status) / (summary.duration / 1e6),
    summary.errors.status))
end
LUA
for jar in "$@"; do
  rm -rf "$WORK/data"
  "$JAVA" -jar "$jar" serve --port $PORT --data "$WORK/data" --otlp-grpc-port off >"$WORK/server.log" 2>&1 &
  for _ in $(seq 150); do curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null && break; sleep 0.2; done
  wrk -t2 -c8 -d10s -s "$WORK/post.lua" "http://127.0.0.1:$PORT$URLPATH" >/dev/null
  out="$(wrk -t2 -c8 -d"${SECS:-30}s" -s "$WORK/post.lua" "http://127.0.0.1:$PORT$URLPATH" | grep '^ok/s')"
  ok="$(sed -n 's/^ok\/s: \([0-9.]*\).*/\1/p' <<<"$out")"
  behind="$(curl -s "http://127.0.0.1:$PORT/api/v1/status" | python3 -c 'import json,sys; b=json.load(sys.stdin).get("loaderBacklog") or {}; print("loader behind %s events, %.0f MiB" % (b.get("events"), b.get("journalBytes", 0) / 1048576))' 2>/dev/null || true)"
  printf '%s  %.0f items/s  (%s; %s)\n' "$jar" "$(echo "$ok * $ITEMS" | bc)" "$out" "$behind"
  pkill -f "serve --port $PORT" || true
  while pgrep -f "serve --port $PORT" >/dev/null; do sleep 0.2; done
done
