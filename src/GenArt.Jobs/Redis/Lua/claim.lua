-- ARGV[9] kind, [10] consumer. Returns { 'entry', id, priority, delivery, entry JSON, active job ids } or, with
-- nothing to claim, { 'none', earliest lease deadline ms (-1 for none), last ids of the two streams and the wake stream }.
sweep()
local kind, consumer = ARGV[9], ARGV[10]

local function deliver(prio, eid)
  local f = entry_fields(kind, prio, eid)
  if not f then
    remove_entry(kind, prio, eid)
    return nil
  end
  local d = dk(kind, prio, eid)
  local delivery = redis.call('HINCRBY', d, 'delivery', 1)
  local active = {}
  for _, id in ipairs(split(f.jobs)) do
    local st = job_state(id)
    if st and not TERMINAL[st] then
      local deadline = redis.call('HGET', jk(id), 'deadline')
      if deadline and tonumber(deadline) <= NOW then
        finish(id, st, 'Failed', LATE_CODE, LATE_MSG, LATE_BODY)
      else
        active[#active + 1] = { id, st }
      end
    end
  end
  if #active == 0 then
    remove_entry(kind, prio, eid)
    return nil
  end
  redis.call('ZADD', leasek(kind), NOW + VT, prio .. '|' .. eid)
  redis.call('HSET', d, 'holder', consumer)
  local ids = {}
  for _, j in ipairs(active) do
    set_state(j[1], j[2], 'Running')
    local k = jk(j[1])
    redis.call('HSET', k, 'worker', consumer, 'attempts', delivery)
    redis.call('HSETNX', k, 'started', NOWT)
    ids[#ids + 1] = j[1]
  end
  redis.call('HSET', WORKERS, consumer, NOWT)
  return { 'entry', eid, prio, delivery, f.entry, table.concat(ids, ' ') }
end

local function read_new(prio)
  local q = qk(kind, prio)
  local r = redis.pcall('XREADGROUP', 'GROUP', GROUP, consumer, 'COUNT', 1, 'STREAMS', q, '>')
  if type(r) == 'table' and r.err then
    if not string.find(r.err, 'NOGROUP', 1, true) then return redis.error_reply(r.err) end
    -- The group is gone (the data set was lost or flushed): recreate it from the start of the stream.
    redis.call('XGROUP', 'CREATE', q, GROUP, '0', 'MKSTREAM')
    r = redis.call('XREADGROUP', 'GROUP', GROUP, consumer, 'COUNT', 1, 'STREAMS', q, '>')
  end
  if not r then return nil end
  return r[1][2][1][1]
end

local function take()
  for _, prio in ipairs(PRIOS) do
    while true do
      local eid
      local top = redis.call('ZRANGE', retk(kind, prio), 0, 0)
      if #top > 0 then
        -- A returned entry is older than any undelivered one: serve it first, keeping its place.
        redis.call('ZREM', retk(kind, prio), top[1])
        eid = unpad(top[1])
        redis.pcall('XCLAIM', qk(kind, prio), GROUP, consumer, 0, eid, 'JUSTID')
      else
        eid = read_new(prio)
        if type(eid) == 'table' then return eid end
      end
      if not eid then break end
      local res = deliver(prio, eid)
      if res then return res end
    end
  end
  return nil
end

local res = take()
if res then return res end

-- Safety net for pending entries with neither a lease nor a place among the returned ones (writes lost in a
-- crash of Redis itself): XAUTOCLAIM walks the pending list, its cursor carried forward between calls.
local orphans = 0
for _, prio in ipairs(PRIOS) do
  local q = qk(kind, prio)
  local cursor = redis.call('HGET', cursork(kind), prio) or '0-0'
  local r = redis.pcall('XAUTOCLAIM', q, GROUP, consumer, VT, cursor, 'COUNT', 10, 'JUSTID')
  if type(r) == 'table' and not r.err then
    redis.call('HSET', cursork(kind), prio, r[1])
    for _, eid in ipairs(r[2]) do
      if not redis.call('ZSCORE', leasek(kind), prio .. '|' .. eid)
        and not redis.call('ZSCORE', retk(kind, prio), pad(eid)) then
        redis.call('ZADD', retk(kind, prio), 0, pad(eid))
        orphans = orphans + 1
      end
    end
  end
end
if orphans > 0 then
  res = take()
  if res then return res end
end

local function last_id(key)
  local info = redis.pcall('XINFO', 'STREAM', key)
  if type(info) ~= 'table' or info.err then return '0-0' end
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then return info[i + 1] end
  end
  return '0-0'
end
local earliest = redis.call('ZRANGE', leasek(kind), 0, 0, 'WITHSCORES')
local next_lapse = -1
if #earliest > 0 then next_lapse = earliest[2] end
return { 'none', next_lapse, last_id(qk(kind, 'interactive')), last_id(qk(kind, 'batch')), last_id(wakek(kind)) }
