-- bench/load.lua — wrk script of bench/load.sh: every request takes the
-- next path of the file named by $HQ_PATHS (one URL path a line: searches
-- with real questions, already percent-encoded), each thread starting at
-- a different line; done() prints one machine-readable line of results.
--   HQ_UNIQUE=all   appends a made-up word no document holds to the q of
--                   every request ("+qz" and letters unique to the request
--                   and to $HQ_TAG), so no two requests are the same and
--                   the result cache never answers: the full search runs;
--   HQ_UNIQUE=half  the same for every other request;
--   HQ_DELAY_MS=n   waits n ms before each request (a light probe).
local paths = {}
for line in io.lines(os.getenv("HQ_PATHS")) do
  if #line > 0 then paths[#paths + 1] = line end
end
local unique = os.getenv("HQ_UNIQUE") or ""
local run_tag = os.getenv("HQ_TAG") or "a"
local delay_ms = tonumber(os.getenv("HQ_DELAY_MS") or "")
local counter = 0
local thread_no = 0

function setup(thread)
  thread:set("offset", thread_no * 997)
  thread:set("tag", string.char(97 + thread_no % 26))
  thread_no = thread_no + 1
end

-- n written in the letters a-z (a word the analyser keeps whole)
local function letters(n)
  local s = ""
  repeat
    s = s .. string.char(97 + n % 26)
    n = math.floor(n / 26)
  until n == 0
  return s
end

function request()
  counter = counter + 1
  local i = ((counter + (offset or 0)) % #paths) + 1
  local path = paths[i]
  if unique == "all" or (unique == "half" and counter % 2 == 0) then
    path = path .. "+qz" .. run_tag .. (tag or "a") .. letters(counter)
  end
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
