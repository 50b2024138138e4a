-- wrk script: POST the same NDJSON body over and over. BODY names the file (default /tmp/vigil-1000.ndjson).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-ndjson"
local f = assert(io.open(os.getenv("BODY") or "/tmp/vigil-1000.ndjson", "rb"))
wrk.body = f:read("*a")
f:close()

function done(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format("requests/s: %.1f  non-2xx: %d  socket errors: %d\n",
    summary.requests / (summary.duration / 1e6), non2xx,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
