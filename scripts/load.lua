-- wrk script for scripts/load.sh: POSTs inbound-webhook events with Basic auth (LOAD_AUTH),
-- each with its own ticket id; LOAD_DELAY_MS paces each connection (0: as fast as it can).
local auth = os.getenv("LOAD_AUTH")
local delay_ms = tonumber(os.getenv("LOAD_DELAY_MS") or "0")
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic " .. auth

function setup(thread)
  thread:set("id", math.random(1, 1000000) * 1000)
end

function request()
  n = n + 1
  local body = '{"ticket_id": ' .. (id + n) .. ', "tags": ["Billing", "VIP", "Refund"]}'
  return wrk.format(nil, nil, nil, body)
end

if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK requests=%d connect=%d read=%d write=%d status=%d timeout=%d p50_ms=%.2f p99_ms=%.2f secs=%.2f\n",
    summary.requests, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.duration / 1e6))
end
