-- wrk script for `make bench` (deploy/bench.sh). Configured by environment variables:
--   BENCH_SCENARIO  the row name in the report
--   BENCH_PATH      request path; `{id}` becomes a random bench product number (1..20000)
--   BENCH_LOGIN     when set, every request is a login (E1) of a random bench buyer
-- done() prints one JSON line prefixed with BENCH_JSON for the report.

local path = os.getenv("BENCH_PATH") or "/api/products"
local login = os.getenv("BENCH_LOGIN")
local json_headers = { ["Content-Type"] = "application/json" }

init = function(args)
  -- Different threads must not replay the same pseudo-random sequence.
  local address = tonumber(string.match(tostring({}), "0x(%x+)") or "0", 16) or 0
  math.randomseed(os.time() + address % 1000003)
end

if login then
  request = function()
    local n = math.random(1, 5000)
    local body = '{"email":"buyer' .. n .. '@bench.codiit","password":"BenchPass1!"}'
    return wrk.format("POST", "/api/auth/login", json_headers, body)
  end
elseif path:find("{id}", 1, true) then
  request = function()
    return wrk.format("GET", (path:gsub("{id}", tostring(math.random(1, 20000)))))
  end
else
  -- A fixed request: without a request function wrk builds it once, instead of running Lua
  -- for every request on the cores the server shares.
  wrk.path = path
end

done = function(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH_JSON {"scenario":"%s","connections":%d,"requests":%d,"seconds":%.3f,"rps":%.1f,' ..
    '"p50_ms":%.3f,"p99_ms":%.3f,"errors":%d,"non_2xx":%d,"socket_errors":%d}\n',
    os.getenv("BENCH_SCENARIO") or "wrk", tonumber(os.getenv("BENCH_CONNECTIONS") or "0"),
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status + e.connect + e.read + e.write + e.timeout, e.status,
    e.connect + e.read + e.write + e.timeout))
end
