-- bench/load.lua — wrk script of bench/load.sh: every request takes the
-- next path of the file named by $HQ_PATHS (one URL path a line: searches
-- with real questions, already percent-encoded), the threads taking
-- turns (thread k of n sends lines k, k + n, k + 2n...), so no two
-- requests of a pass repeat a line; done() prints one machine-readable
-- line of results.
--   HQ_UNIQUE=all   takes every request from $HQ_UNIQUE_PATHS instead (a
--                   long list of distinct questions, from line $HQ_START
--                   on): no request repeats one the result cache holds;
--   HQ_UNIQUE=half  the same for every other request;
--   HQ_DELAY_MS=n   waits n ms before each request (a light probe);
--   HQ_THREADS      wrk's thread count (-t).
local function read_paths(file)
  local t = {}
  for line in io.lines(file) do
    if #line > 0 then t[#t + 1] = line end
  end
  return t
end
local paths = read_paths(os.getenv("HQ_PATHS"))
local unique = os.getenv("HQ_UNIQUE") or ""
local unique_paths = unique ~= "" and read_paths(os.getenv("HQ_UNIQUE_PATHS")) or {}
local start = tonumber(os.getenv("HQ_START") or "0")
local delay_ms = tonumber(os.getenv("HQ_DELAY_MS") or "")
local n_threads = tonumber(os.getenv("HQ_THREADS") or "1") -- wrk's -t
local counter = 0
local next_thread = 0

function setup(thread)
  thread:set("thread_no", next_thread)
  next_thread = next_thread + 1
end

-- the line of the k-th request (from 0) of this thread in a list of n
local function line(k, n)
  return ((k * n_threads + (thread_no or 0)) % n) + 1
end

function request()
  local path
  if unique == "all" then
    path = unique_paths[line(start + counter, #unique_paths)]
  elseif unique == "half" and counter % 2 == 1 then
    path = unique_paths[line(start + (counter - 1) / 2, #unique_paths)]
  elseif unique == "half" then
    path = paths[line(counter / 2, #paths)]
  else
    path = paths[line(counter, #paths)]
  end
  counter = counter + 1
  return wrk.format("GET", path)
end

if delay_ms then
  function delay()
    return delay_ms
  end
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
