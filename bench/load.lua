-- bench/load.lua — wrk script of bench/load.sh: every request takes the
-- next path of the file named by $HQ_PATHS (one URL path a line: searches
-- with real questions, already percent-encoded), each thread starting at
-- a different line; done() prints one machine-readable line of results.
local paths = {}
for line in io.lines(os.getenv("HQ_PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end
local counter = 0
local thread_no = 0

function setup(thread)
  thread:set("offset", thread_no * 997)
  thread_no = thread_no + 1
end

function request()
  counter = counter + 1
  local i = ((counter + (offset or 0)) % #paths) + 1
  return wrk.format("GET", paths[i])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f " ..
    "errors_connect=%d errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d bytes=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.connect, e.read, e.write, e.status, e.timeout, summary.bytes))
end
