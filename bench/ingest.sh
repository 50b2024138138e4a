#!/usr/bin/env bash
# Ingest benchmark: acknowledged events/s for batch sizes 1, 100, 1000 and 1, 8, 64 concurrent clients,
# then wrk with a fixed 1000-event NDJSON body over 8 and 16 connections, then ack latency at a fixed rate.
# Every configuration gets a fresh server and data folder. Usage: bench/ingest.sh [reps] [seconds]
# Needs wrk (apt-get install wrk). Prints markdown rows; figures are per run, summarise median and spread.
set -euo pipefail
cd "$(dirname "$0")/.."
REPS="${1:-3}"
SECS="${2:-10}"
PORT=18282
./vigil build >/dev/null 2>&1 || ./vigil build
DATA="$(mktemp -d)"
trap 'pkill -f "vigil.jar serve --port $PORT" || true; rm -rf "$DATA"' EXIT

start() {
  rm -rf "$DATA/d"
  ./vigil serve --port $PORT --bind 127.0.0.1 --data "$DATA/d" >"$DATA/serve.log" 2>&1 &
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "server did not start"; cat "$DATA/serve.log"; exit 1
}
stop() { pkill -f "vigil.jar serve --port $PORT" || true; while pgrep -f "vigil.jar serve --port $PORT" >/dev/null; do sleep 0.2; done; }

echo "| batch | clients | rep | acked events/s | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|---|---|"
for batch in 1 100 1000; do
  for clients in 1 8 64; do
    for rep in $(seq "$REPS"); do
      start
      out="$(./vigil loadgen --url "http://127.0.0.1:$PORT" --batch "$batch" --clients "$clients" --warmup 3s --duration "${SECS}s" 2>/dev/null || true)"
      stop
      eps="$(sed -n 's/^acked events\/s: \([0-9,]*\).*errors: \([0-9]*\).*/\1/p' <<<"$out")"
      err="$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' <<<"$out")"
      p50="$(sed -n 's/.*p50 \([0-9.]*\).*/\1/p' <<<"$out")"
      p99="$(sed -n 's/.* p99 \([0-9.]*\).*/\1/p' <<<"$out")"
      echo "| $batch | $clients | $rep | $eps | $p50 | $p99 | $err |"
    done
  done
done

if command -v wrk >/dev/null; then
  ./vigil loadgen --batch 1000 --write-body "$DATA/body.ndjson" >/dev/null 2>&1
  echo
  echo "| wrk connections | rep | requests/s (x1000 events) | non-2xx | latency avg / max |"
  echo "|---|---|---|---|---|"
  for c in 8 16; do
    for rep in $(seq "$REPS"); do
      start
      out="$(BODY="$DATA/body.ndjson" wrk -t2 -c$c -d"${SECS}s" -s bench/post-body.lua "http://127.0.0.1:$PORT/ingest/events")"
      stop
      rps="$(sed -n 's/^requests\/s: \([0-9.]*\).*/\1/p' <<<"$out")"
      non="$(sed -n 's/.*non-2xx: \([0-9]*\).*/\1/p' <<<"$out")"
      lat="$(awk '/Latency/ {print $2 " / " $4}' <<<"$out")"
      echo "| $c | $rep | $rps | $non | $lat |"
    done
  done
fi

echo
echo "| open-loop rate (events/s) | batch | clients | rep | p50 ms | p90 ms | p99 ms | max ms | late starts |"
echo "|---|---|---|---|---|---|---|---|---|"
for rate in ${RATES:-80000 112000}; do
  for rep in $(seq "$REPS"); do
    start
    out="$(./vigil loadgen --url "http://127.0.0.1:$PORT" --batch 1000 --clients 8 --rate "$rate" --warmup 3s --duration "${SECS}s" 2>/dev/null || true)"
    stop
    read -r p50 p90 p99 mx < <(sed -n 's/.*p50 \([0-9.]*\)  p90 \([0-9.]*\)  p99 \([0-9.]*\)  p99.9 [0-9.]*  max \([0-9.]*\).*/\1 \2 \3 \4/p' <<<"$out")
    late="$(sed -n 's/^note: \([0-9]*\) batches.*/\1/p' <<<"$out")"
    echo "| $rate | 1000 | 8 | $rep | $p50 | $p90 | $p99 | $mx | ${late:-0} |"
  done
done
