-- wrk: versioned PUTs, as a client doing optimistic concurrency would send them.
--
-- The customers in $BENCH_IDS ("ID VERSION" lines, their versions when the run starts) are shared out among wrk's threads; each request updates one of
-- its thread's customers, picked at random, with the version the thread last saw for it: `PUT /v2/customers/{id}` with {"version":V,"note":"…"}. A success (200)
-- returns the new version; a VERSION_MISMATCH (400: another of the thread's connections
-- updated the same customer first) names the current one in its detail. Either way the next
-- write to that customer uses the version it was told, as a client that re-reads would.
-- done() prints how many were applied and how many were refused.
local ids = {}
local versions = {}
local threads = {}
-- Globals: done() reads each thread's counts with thread:get().
applied, refused, other = 0, 0, 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("index", #threads)
end

function init(args)
  local count = tonumber(os.getenv("BENCH_THREADS"))
  local n = 0
  for line in io.lines(os.getenv("BENCH_IDS")) do
    local id, version = line:match("^(%w+) (%d+)$")
    if n % count == index - 1 then
      table.insert(ids, id)
      versions[id] = tonumber(version)
    end
    n = n + 1
  end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
  wrk.method = "PUT"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("OPTIMIST_TOKEN")
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local id = ids[math.random(#ids)]
  local body = string.format('{"version":%d,"note":"wrk %d"}', versions[id], math.random(1000000))
  return wrk.format(nil, "/v2/customers/" .. id, nil, body)
end

function response(status, headers, body)
  local id, version
  if status == 200 then
    applied = applied + 1
    id = body:match('"id":"(%w+)"')
    version = body:match('"version":(%d+)')
  elseif status == 400 and body:find("VERSION_MISMATCH", 1, true) then
    refused = refused + 1
    id, version = body:match("Object `(%w+)` is at version (%d+)")
  else
    other = other + 1
  end
  if id and version then versions[id] = tonumber(version) end
end

function done(summary, latency, requests)
  local a, r, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    a = a + thread:get("applied")
    r = r + thread:get("refused")
    o = o + thread:get("other")
  end
  io.write(string.format("versioned-put applied=%d refused=%d other=%d\n", a, r, o))
end
