#!/usr/bin/env bash
# Durable ingest against Zipkin's in-memory ingest, side by side in one sitting on this machine (issue 15).
#
#   bench/versus-zipkin.sh [reps] [seconds]        # defaults: 3 repetitions, 30 s measured after 10 s of warm-up
#   SUSTAINED=60 bench/versus-zipkin.sh 1 60       # one long run of each, as the issue's "sustained 60 s"
#
# Each run: a fresh server (Zipkin 3.6.1 with its default in-memory storage, or Vigil with a fresh data folder),
# wrk posting one fixed 1,000-item body (spans for Zipkin, call events for Vigil) over 8 connections, 10 s of
# warm-up (discarded) then the measured run; then one item per request over 64 connections; then the same 1,000
# spans to Vigil as OTLP/HTTP protobuf (vigil-otlp rows). Prints markdown rows
# (per run); summarise median and range. Needs wrk (installed with apt-get when missing) and fetches Zipkin's
# jar into the local Maven repository when missing. Zipkin keeps spans in memory only: it acknowledges nothing
# durable; Vigil acknowledges once the journal record is fsync'd.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS="${1:-3}"
SECS="${2:-30}"
WARM=10
VPORT=18283
ZPORT=19411
ZIPKIN_VERSION=3.6.1
ZJAR="$HOME/.m2/repository/io/zipkin/zipkin-server/$ZIPKIN_VERSION/zipkin-server-$ZIPKIN_VERSION-exec.jar"

command -v wrk >/dev/null || apt-get install -y wrk >/dev/null || { echo "needs wrk (apt-get install wrk)"; exit 1; }
[ -f "$ZJAR" ] || mvn -B -q dependency:get -Dartifact="io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:exec" -Dtransitive=false
./vigil build >/dev/null 2>&1 || ./vigil build
JAVA="$(ls -d /usr/lib/jvm/*25* 2>/dev/null | head -n1)/bin/java"
[ -x "$JAVA" ] || JAVA=java
WORK="$(mktemp -d)"
trap 'pkill -f "vigil.jar serve --port $VPORT" || true; pkill -f "zipkin-server-.*--server.port=$ZPORT" || true; rm -rf "$WORK"' EXIT

# Bodies: 1,000 Zipkin v2 spans (distinct ids, one trace per 10 spans), the same as OTLP protobuf, and Vigil's
# 1,000 call events; one of each.
python3 bench/bodies.py "$WORK"
./vigil loadgen --batch 1000 --write-body "$WORK/events-1000.ndjson" >/dev/null 2>&1
./vigil loadgen --batch 1 --write-body "$WORK/events-1.ndjson" >/dev/null 2>&1

cat >"$WORK/post.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = os.getenv("CTYPE")
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
function done(summary, latency, requests)
  local ok = summary.requests - summary.errors.status
  io.write(string.format("requests/s: %.1f  ok/s: %.1f  non-2xx: %d  socket errors: %d  p50 ms: %.2f  p99 ms: %.2f\n",
    summary.requests / (summary.duration / 1e6), ok / (summary.duration / 1e6), summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
EOF

wait_up() { for _ in $(seq 150); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done; echo "not up: $1"; exit 1; }
start_vigil() {
  rm -rf "$WORK/data"
  ./vigil serve --port $VPORT --bind 127.0.0.1 --data "$WORK/data" >"$WORK/vigil.log" 2>&1 &
  wait_up "http://127.0.0.1:$VPORT/ready"
}
stop_vigil() { pkill -f "vigil.jar serve --port $VPORT" || true; while pgrep -f "vigil.jar serve --port $VPORT" >/dev/null; do sleep 0.2; done; }
start_zipkin() {
  "$JAVA" -Xms1g -Xmx4g -jar "$ZJAR" --server.port=$ZPORT >"$WORK/zipkin.log" 2>&1 &
  wait_up "http://127.0.0.1:$ZPORT/health"
}
stop_zipkin() { pkill -f "zipkin-server-.*--server.port=$ZPORT" || true; while pgrep -f "zipkin-server-.*--server.port=$ZPORT" >/dev/null; do sleep 0.2; done; }

# run NAME URL CTYPE BODY CONNECTIONS ITEMS_PER_REQUEST: warm-up, then the measured run; prints a row.
run() {
  local name="$1" url="$2" ctype="$3" body="$4" c="$5" items="$6" rep="$7" out ok extra=""
  CTYPE="$ctype" BODY="$body" wrk -t2 -c"$c" -d"${WARM}s" -s "$WORK/post.lua" "$url" >/dev/null
  out="$(CTYPE="$ctype" BODY="$body" wrk -t2 -c"$c" -d"${SECS}s" -s "$WORK/post.lua" "$url" | grep '^requests/s')"
  ok="$(sed -n 's/.*ok\/s: \([0-9.]*\).*/\1/p' <<<"$out")"
  if [ "${name%%-*}" = vigil ]; then
    extra="$(curl -s "http://127.0.0.1:$VPORT/api/v1/status" | python3 -c 'import json,sys; s=json.load(sys.stdin); b=s.get("loaderBacklog",{}); print("loader behind %s events, journal %.0f MiB" % (b.get("events"), b.get("journalBytes",0)/1048576))' 2>/dev/null || true)"
  fi
  printf '| %s | %s | %s | %s | %.0f | %s | %s |\n' "$name" "$items" "$c" "$rep" "$(echo "$ok * $items" | bc)" "$out" "$extra"
}

echo "| server | items/request | connections | rep | acknowledged items/s | wrk | after the run |"
echo "|---|---|---|---|---|---|---|"
for rep in $(seq "$REPS"); do
  start_zipkin
  run zipkin "http://127.0.0.1:$ZPORT/api/v2/spans" application/json "$WORK/spans-1000.json" 8 1000 "$rep"
  run zipkin "http://127.0.0.1:$ZPORT/api/v2/spans" application/json "$WORK/spans-1.json" 64 1 "$rep"
  stop_zipkin
  start_vigil
  run vigil "http://127.0.0.1:$VPORT/ingest/events" application/x-ndjson "$WORK/events-1000.ndjson" 8 1000 "$rep"
  stop_vigil
  start_vigil
  run vigil "http://127.0.0.1:$VPORT/ingest/events" application/x-ndjson "$WORK/events-1.ndjson" 64 1 "$rep"
  stop_vigil
  start_vigil
  run vigil-otlp "http://127.0.0.1:$VPORT/v1/traces" application/x-protobuf "$WORK/spans-1000.pb" 8 1000 "$rep"
  stop_vigil
done
