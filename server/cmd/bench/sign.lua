-- Each request signs with a new address, as a crowd does.
local counter = 0

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"name":"Bench Signer","email":"s%d-%d@example.org","country":"BY","consent":true}',
    thread_id, counter)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
