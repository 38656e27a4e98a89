-- Each request confirms a different pending signature, with tokens the
-- driver wrote to TOKENS (one per line); thread i takes every n-th token.
local tokens = {}
local next_index = 1

function setup(thread)
  thread:set("offset", thread_count_seen or 0)
  thread_count_seen = (thread_count_seen or 0) + 1
end

function init(args)
  local step = tonumber(os.getenv("THREADS"))
  local i = 0
  for line in io.lines(os.getenv("TOKENS")) do
    if i % step == offset then
      table.insert(tokens, line)
    end
    i = i + 1
  end
end

function request()
  local token = tokens[next_index]
  if token == nil then
    token = tokens[1]  -- ran out: repeats are harmless, but the driver sizes the list to avoid them
  end
  next_index = next_index + 1
  return wrk.format("POST", "/api/v1/signatures/confirm", {["Content-Type"] = "application/json"},
    '{"token":"' .. token .. '"}')
end
