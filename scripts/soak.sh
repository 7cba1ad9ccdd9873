#!/usr/bin/env bash
# Soak test of the local server: `zis-studio serve` driven for DURATION seconds (default
# 600) with inbound-webhook load at RATE events/s (default 1000), one poison event (a jq
# program that recurses forever, so its jq worker dies) in every 1,000. Reports events
# acknowledged, stored, executed, failed as poison, lost (acknowledged but not stored: must
# be 0), the backlog left, and the server's resident memory per minute (must stay flat).
#   scripts/soak.sh                      # release build, 10 minutes at 1,000/s
#   DURATION=60 RATE=500 scripts/soak.sh # a shorter run
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ZIS_STUDIO_BIN:-target/release/zis-studio}
[ -x "$bin" ] || cargo build --release --quiet
duration=${DURATION:-600}
rate=${RATE:-1000}
conns=${CONNS:-20}
drain=${DRAIN:-120}
data=$(mktemp -d)
echo "soak: data folder $data (kept)"
"$bin" serve --port 0 --data "$data" >"$data/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait 2>/dev/null' EXIT
for _ in $(seq 100); do grep -q "http://127.0.0.1:" "$data/serve.log" 2>/dev/null && break; sleep 0.1; done
base=$(grep -o "http://127.0.0.1:[0-9]*" "$data/serve.log" | head -1)
token=$(cat "$data/api_token")
zis=$base/api/services/zis
auth="Authorization: Bearer $token"
curl -sf -X POST -H "$auth" "$zis/registry/jq_bombs" -d '{"description": "soak"}' >/dev/null
curl -sf -X POST -H "$auth" "$zis/registry/jq_bombs/bundles" --data-binary @tests/fixtures/jq_bombs/jq_bombs.json >/dev/null
curl -sf -X POST -H "$auth" "$zis/registry/job_specs/install?job_spec_name=zis:jq_bombs:job_spec:uncaught_job" >/dev/null
hook=$(curl -sf -X POST -H "$auth" "$zis/inbound_webhooks/generic/jq_bombs" -d '{"source_system": "acme", "event_type": "uncaught"}')
url=$(echo "$hook" | jq -r .data.path)
creds=$(echo "$hook" | jq -r '.data.username + ":" + .data.password')

# Resident memory every 5 s: "seconds kB".
( start=$(date +%s); while kill -0 $pid 2>/dev/null; do
    echo "$(( $(date +%s) - start )) $(awk '/VmRSS/ {print $2}' /proc/$pid/status)" >>"$data/rss.txt"; sleep 5; done ) &

delay=$(( 1000 * conns / rate ))
echo "soak: $duration s at $rate events/s ($conns connections, ${delay} ms apart) against $base"
SOAK_AUTH=$(printf %s "$creds" | base64 -w0) SOAK_DELAY_MS=$delay \
  wrk -t2 -c"$conns" -d"${duration}s" --timeout 10s -s scripts/soak.lua "$url" >"$data/wrk.txt" 2>&1 || true
line=$(grep '^WRK' "$data/wrk.txt" || true)
[ -n "$line" ] || { cat "$data/wrk.txt"; exit 1; }
val() { echo "$line" | grep -o "$1=[0-9.]*" | cut -d= -f2; }
requests=$(val requests); bad=$(( $(val connect) + $(val read) + $(val write) + $(val status) + $(val timeout) ))
acked=$(( requests - bad ))

# Let the dispatcher work through the backlog for up to $drain s.
for _ in $(seq "$drain"); do
  q=$(curl -sf -H "$auth" "$base/api/local/queue")
  [ "$(echo "$q" | jq '.pending + .running')" = 0 ] && break
  sleep 1
done
python3 - "$data" "$acked" "$requests" "$bad" "$(val p50_ms)" "$(val p99_ms)" "$duration" <<'PY'
import sqlite3, sys
data, acked, requests, bad, p50, p99 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
db = sqlite3.connect(f"{data}/zis-studio.sqlite")
one = lambda q: db.execute(q).fetchone()[0]
stored = one("SELECT COUNT(*) FROM events WHERE origin LIKE 'webhook:%'")
backlog = one("SELECT COUNT(*) FROM events WHERE state IN ('pending', 'running')")
executed = one("SELECT COUNT(*) FROM executions")
succeeded = one("SELECT COUNT(*) FROM executions WHERE status = 'succeeded'")
poison = one("SELECT COUNT(*) FROM executions WHERE status = 'failed' AND cause LIKE 'jq: recursion%'")
other_failed = one("SELECT COUNT(*) FROM executions WHERE status = 'failed'") - poison
rss = [tuple(map(int, l.split())) for l in open(f"{data}/rss.txt") if len(l.split()) == 2]
first = max((r for t, r in rss if t <= 60), default=0)
after = max((r for t, r in rss if t > 60), default=0)
peak = max((r for t, r in rss), default=0)
print(f"requests sent          {requests} ({bad} not acknowledged: errors or non-2xx), {requests / max(int(sys.argv[7]), 1):.0f}/s offered")
print(f"acknowledged (2xx)     {acked}   ingest latency p50 {p50} ms, p99 {p99} ms")
print(f"stored in the queue    {stored}")
print(f"lost                   {max(acked - stored, 0)}")
print(f"executed               {executed} (succeeded {succeeded}, failed as poison {poison}, other failures {other_failed})")
print(f"backlog left           {backlog}")
print(f"server RSS             first minute peak {first // 1024} MB, after it peak {after // 1024} MB, overall {peak // 1024} MB")
minutes = {}
for t, r in rss:
    minutes[t // 60] = max(minutes.get(t // 60, 0), r)
print("  peak RSS per minute (MB): " + ", ".join(str(r // 1024) for _, r in sorted(minutes.items())))
PY
