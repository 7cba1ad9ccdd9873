#!/usr/bin/env bash
# Load test of the local server (issue 16): `zis-studio serve` (release build) driven with
# wrk through an inbound webhook, figures from the data folder's database.
#
#   scripts/load.sh            # every phase (about 3 minutes)
#   PHASES="peak kill" scripts/load.sh
#
# Phases:
#   peak      wrk as fast as it can for 10 s on the one-state no-op flow: accepted events/s,
#             ingest p50/p99; then executed/s while the dispatcher drains, start delay p50/p99
#   steady    2,000 events/s for 30 s on the no-op flow (RATE, SECS): ingest p50/p99, start
#             delay p50/p99
#   realistic the realistic flow (LoadConfig, Choice, Jq, a custom action on the fake
#             Zendesk, PatchConfig) at full speed for 10 s, drained: executed/s
#   backlog   a 1,000- and a 100,000-event backlog of the no-op flow and 10,000 of the
#             realistic one queued before the server starts: the rate each drains at
#             (BACKLOGS="noop:1000 realistic:500" for others)
#   kill      wrk at full speed, `kill -9` of the server after 5 s, restart, drain:
#             acknowledged, executed, lost (must be 0) and duplicated counts
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${ZIS_STUDIO_BIN:-target/release/zis-studio}
[ -x "$bin" ] || cargo build --release --quiet
phases=${PHASES:-peak steady realistic backlog kill}
command -v wrk >/dev/null || { echo "load.sh needs wrk (apt install wrk)"; exit 1; }

pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT

# start DATA: serve on a free port with the data folder; sets base, auth, zis.
starts=0
start() {
  starts=$((starts + 1)); log="$1/serve.$starts.log"
  "$bin" serve --port 0 --data "$1" >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 600); do grep -q "http://127.0.0.1:" "$log" 2>/dev/null && break; sleep 0.05; done
  base=$(grep -o "http://127.0.0.1:[0-9]*" "$log" | head -1)
  [ -n "$base" ] || { echo "the server did not start:"; cat "$log"; exit 1; }
  auth="Authorization: Bearer $(cat "$1/api_token")"
  zis=$base/api/services/zis
}

# setup DATA: a fresh data folder with the load bundle installed, a webhook per event type;
# sets url_noop, url_realistic, creds (the same username for both: Basic auth per hook).
setup() {
  start "$1"
  curl -sf -X POST -H "$auth" "$zis/registry/loadtest" -d '{"description": "load"}' >/dev/null
  curl -sf -X POST -H "$auth" "$zis/registry/loadtest/bundles" --data-binary @benches/load/loadtest.json >/dev/null
  for j in noop_job realistic_job; do
    curl -sf -X POST -H "$auth" "$zis/registry/job_specs/install?job_spec_name=zis:loadtest:job_spec:$j" >/dev/null
  done
  curl -sf -X POST -H "$auth" "$zis/integrations/loadtest/connections/oauth" \
    -d '{"name": "zendesk", "access_token": "load-token", "allowed_domain": "127.0.0.1"}' >/dev/null
  curl -sf -X POST -H "$auth" "$zis/integrations/loadtest/configs" \
    -d '{"scope": "settings", "config": {"enabled": true}}' >/dev/null
  for t in noop realistic; do
    hook=$(curl -sf -X POST -H "$auth" "$zis/inbound_webhooks/generic/loadtest" -d "{\"source_system\": \"loadgen\", \"event_type\": \"$t\"}")
    printf -v "url_$t" %s "$(echo "$hook" | jq -r .data.path)"
    printf -v "creds_$t" %s "$(printf %s "$(echo "$hook" | jq -r '.data.username + ":" + .data.password')" | base64 -w0)"
  done
}

# load URL CREDS SECS CONNS DELAY_MS OUT: wrk; prints nothing, writes its WRK line to OUT.
load() {
  LOAD_AUTH=$2 LOAD_DELAY_MS=$5 wrk -t2 -c"$4" -d"${3}s" --timeout 10s -s scripts/load.lua "$1" >"$6" 2>&1 || true
  grep -q '^WRK' "$6" || { cat "$6"; exit 1; }
}
val() { grep '^WRK' "$1" | grep -o "$2=[0-9.]*" | cut -d= -f2; }

# accepted WRK_FILE: the events answered 2xx, their rate and the ingest latencies.
accepted() {
  local ok=$(( $(val "$1" requests) - $(val "$1" status) ))
  echo "  accepted               $ok events (2xx), $(python3 -c "print(f'{$ok/$(val "$1" secs):,.0f}')")/s; ingest p50 $(val "$1" p50_ms) ms, p99 $(val "$1" p99_ms) ms"
}

# drain: waits until the queue is empty (at most 600 s).
drain() {
  for _ in $(seq 6000); do
    q=$(curl -sf -H "$auth" "$base/api/local/queue" || echo '{"pending": 1, "running": 0}')
    [ "$(echo "$q" | jq '.pending + .running')" = 0 ] && return
    sleep 0.1
  done
}

# stats DATA FLOW: executed/s and start delays of FLOW's executions, from the database.
stats() {
  python3 - "$1/zis-studio.sqlite" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute("SELECT started_at, finished_at, delay_secs, status FROM executions WHERE flow = ?", (sys.argv[2],)).fetchall()
if not rows:
    print("  no executions"); sys.exit()
d = sorted(r[2] for r in rows)
pct = lambda p: d[min(len(d) - 1, int(len(d) * p))] * 1000
span = max(r[1] for r in rows) - min(r[0] for r in rows)
ok = sum(1 for r in rows if r[3] == "succeeded")
print(f"  executed               {len(rows)} ({ok} succeeded) at {len(rows) / max(span, 1e-9):,.0f}/s")
print(f"  start delay            p50 {pct(0.5):,.1f} ms, p99 {pct(0.99):,.1f} ms, max {d[-1] * 1000:,.1f} ms")
PY
}

for phase in $phases; do
  data=$(mktemp -d)
  case $phase in
  peak)
    setup "$data"
    load "$url_noop" "$creds_noop" 10 4 0 "$data/wrk.txt"
    echo "peak: no-op flow, wrk 4 connections for 10 s"
    accepted "$data/wrk.txt"
    drain
    stats "$data" zis:loadtest:flow:noop
    ;;
  steady)
    rate=${RATE:-2000}; secs=${SECS:-30}; conns=$(( rate / 20 ))
    setup "$data"
    # Each connection waits its delay after each answer: two milliseconds less than the
    # interval makes up for the answer's own time.
    load "$url_noop" "$creds_noop" "$secs" "$conns" $(( 1000 * conns / rate - 2 )) "$data/wrk.txt"
    echo "steady: no-op flow, $rate events/s offered for $secs s"
    accepted "$data/wrk.txt"
    drain
    stats "$data" zis:loadtest:flow:noop
    ;;
  realistic)
    setup "$data"
    load "$url_realistic" "$creds_realistic" 10 4 0 "$data/wrk.txt"
    echo "realistic: LoadConfig, Choice, Jq, custom action on the fake Zendesk, PatchConfig; wrk 4 connections for 10 s"
    accepted "$data/wrk.txt"
    drain
    stats "$data" zis:loadtest:flow:realistic
    ;;
  backlog)
    for run in ${BACKLOGS:-noop:1000 noop:100000 realistic:10000}; do
      flow=${run%%:*}; n=${run##*:}
      d=$(mktemp -d); setup "$d"; kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
      python3 - "$d/zis-studio.sqlite" "$n" "$flow" <<'PY'
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1]); t = time.time()
db.executemany("INSERT INTO events (integration, event_source, event_type, input, origin, accepted_at, not_before) VALUES ('loadtest', 'loadgen', ?, ?, 'load', ?, ?)",
               ((sys.argv[3], f'{{"ticket_id": {i}, "tags": ["Billing", "VIP", "Refund"]}}', t, t) for i in range(int(sys.argv[2]))))
db.commit()
PY
      t0=$(date +%s.%N); start "$d"; drain; t1=$(date +%s.%N)
      echo "backlog: $n events for the $flow flow queued before the server starts"
      echo "  drained in             $(python3 -c "print(f'{$t1-$t0:.2f} s, {$n/($t1-$t0):,.0f} events/s (server start included)')")"
      stats "$d" "zis:loadtest:flow:$flow"
      kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
    done
    ;;
  kill)
    setup "$data"
    LOAD_AUTH=$creds_noop LOAD_DELAY_MS=0 wrk -t2 -c4 -d10s --timeout 2s -s scripts/load.lua "$url_noop" >"$data/wrk.txt" 2>&1 &
    wrk_pid=$!
    sleep 5; kill -9 "$pid"; wait "$pid" 2>/dev/null || true; pid=""
    wait "$wrk_pid" || true
    acked=$(( $(val "$data/wrk.txt" requests) - $(val "$data/wrk.txt" status) ))
    start "$data"; drain
    python3 - "$data/zis-studio.sqlite" "$acked" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1]); acked = int(sys.argv[2])
one = lambda q: db.execute(q).fetchone()[0]
stored = one("SELECT COUNT(*) FROM events WHERE origin LIKE 'webhook:%'")
executed = one("SELECT COUNT(*) FROM executions")
distinct = one("SELECT COUNT(DISTINCT event_id) FROM executions")
print("kill: wrk at full speed, kill -9 of the server after 5 s, restart, drain")
print(f"  acknowledged (2xx)     {acked}")
print(f"  stored in the queue    {stored}")
print(f"  executed               {executed} (events with an execution: {distinct})")
print(f"  lost                   {max(acked - stored, 0)} (acknowledged, not stored)")
print(f"  not executed           {stored - distinct}")
print(f"  duplicated             {executed - distinct} (events run twice)")
PY
    ;;
  *) echo "unknown phase $phase"; exit 2 ;;
  esac
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; pid=""; fi
done
