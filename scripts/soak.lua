-- wrk script for scripts/soak.sh: POSTs webhook events with Basic auth, one poison event
-- (a jq program that recurses forever) in every 1,000, paced by SOAK_DELAY_MS per
-- connection.
local auth = os.getenv("SOAK_AUTH")
local delay_ms = tonumber(os.getenv("SOAK_DELAY_MS") or "10")
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic " .. auth

function request()
  n = n + 1
  local body
  if n % 1000 == 0 then
    body = '{"expr": "def f: [f]; f", "n": ' .. n .. '}'
  else
    body = '{"expr": ".n", "n": ' .. n .. '}'
  end
  return wrk.format(nil, nil, nil, body)
end

function delay()
  return delay_ms
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK requests=%d connect=%d read=%d write=%d status=%d timeout=%d p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
