#!/usr/bin/env bash
# Seconds from `vigil demo` start to its pipeline's watermark within 60 s of the wall clock, then from SIGTERM to
# the process's exit (docs/BENCHMARKS.md, "Demo start to live"). Usage: bench/demo-to-live.sh VIGIL_JAR DATA_DIR PORT [demo flags...]; needs curl and python3.
JAR=$1; DATA=$2; PORT=$3
rm -rf "$DATA"
start=$(date +%s.%N)
shift 3; java -jar "$JAR" demo --port "$PORT" --data "$DATA" "$@" > "$DATA.log" 2>&1 &
pid=$!
while true; do
  w=$(curl -s "http://127.0.0.1:$PORT/api/v1/stats" | python3 -c 'import sys,json;d=json.load(sys.stdin);print(d["pipeline"]["watermark"] or "")' 2>/dev/null)
  if [ -n "$w" ]; then
    age=$(python3 -c "import datetime,sys;w=datetime.datetime.fromisoformat('$w'.replace('Z','+00:00'));print((datetime.datetime.now(datetime.timezone.utc)-w).total_seconds())")
    if python3 -c "import sys;sys.exit(0 if $age < 60 else 1)"; then break; fi
  fi
  sleep 1
done
end=$(date +%s.%N)
python3 -c "print('live after %.1f s' % ($end-$start))"
grep -o "history: 100%[^;]*" "$DATA.log"
k0=$(date +%s.%N); kill $pid; wait $pid 2>/dev/null; k1=$(date +%s.%N)
python3 -c "print('stopped in %.1f s' % ($k1-$k0))"
