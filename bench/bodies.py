#!/usr/bin/env python3
"""Writes the benchmark bodies into DIR: 1,000 Zipkin v2 spans (spans-1000.json, spans-1.json) and the same
spans as OTLP/HTTP protobuf (spans-1000.pb, spans-1.pb). Used by versus-zipkin.sh and ab-ingest.sh."""
import json, os, sys, random
random.seed(7)
d = sys.argv[1]
os.makedirs(d, exist_ok=True)
now = 1_760_000_000_000_000
spans = []
for i in range(1000):
    spans.append({"traceId": "%016x%016x" % (i // 10 + 1, 42), "id": "%016x" % (i + 1),
                  "parentId": None if i % 10 == 0 else "%016x" % (i - i % 10 + 1),
                  "name": "get /orders/{id}", "kind": "SERVER", "timestamp": now + i, "duration": random.randint(100, 90000),
                  "localEndpoint": {"serviceName": "svc-%d" % (i % 50)},
                  "remoteEndpoint": {"serviceName": "caller-%d" % (i % 7)},
                  "tags": {"http.method": "GET", "http.status_code": "200", "order.id": "A-%d" % i}})
for s in spans:
    if s["parentId"] is None:
        del s["parentId"]
open(d + "/spans-1000.json", "w").write(json.dumps(spans))
open(d + "/spans-1.json", "w").write(json.dumps(spans[:1]))

# The same 1,000 spans as OTLP/protobuf (ExportTraceServiceRequest), one ResourceSpans per service as an SDK or a
# collector sends them, timed now (Vigil refuses events older than --max-past-age). Encoded by hand: the
# benchmark needs no protobuf library.
import time
def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7f
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)
def field(num, wire, payload):
    key = varint((num << 3) | wire)
    if wire == 2:
        return key + varint(len(payload)) + payload
    return key + payload
def ld(num, payload): return field(num, 2, payload)
def text(num, s): return ld(num, s.encode())
def fixed64(num, v): return field(num, 1, v.to_bytes(8, "little"))
def kv(k, v): return text(1, k) + ld(2, text(1, v))   # KeyValue{key, AnyValue{string_value}}
now_ns = time.time_ns()
by_service = {}
for i, s in enumerate(spans):
    start = now_ns - 60_000_000_000 + i * 1000
    body = (ld(1, bytes.fromhex(s["traceId"])) + ld(2, bytes.fromhex(s["id"]))
            + (ld(4, bytes.fromhex(s["parentId"])) if "parentId" in s else b"")
            + text(5, s["name"]) + field(6, 0, varint(2))                     # kind SERVER
            + fixed64(7, start) + fixed64(8, start + s["duration"] * 1000)
            + b"".join(ld(9, kv(k, v)) for k, v in s["tags"].items()))   # Span.attributes
    by_service.setdefault(s["localEndpoint"]["serviceName"], []).append(ld(2, body))
request = b"".join(ld(1, ld(1, ld(1, kv("service.name", svc))) + ld(2, b"".join(bodies))) for svc, bodies in by_service.items())
open(d + "/spans-1000.pb", "wb").write(request)
one = spans[0]
open(d + "/spans-1.pb", "wb").write(ld(1, ld(1, ld(1, kv("service.name", one["localEndpoint"]["serviceName"])))
                                         + ld(2, by_service[one["localEndpoint"]["serviceName"]][0])))
