-- ARGV[9] kind, [10] consumer, [11] how long (ms) a consumer with nothing pending may stay idle before it is
-- removed from the group. Returns { 'entry', id, priority, delivery, entry JSON, active job ids } or, with
-- nothing to claim, { 'none', earliest lease deadline ms (-1 for none), last ids of the two streams and the wake stream }.
sweep()
local kind, consumer, idle_limit = ARGV[9], ARGV[10], tonumber(ARGV[11])

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
    local j = job(id)
    if j and not TERMINAL[j.state] then
      if j.deadline and tonumber(j.deadline) <= NOW then
        finish(j, 'Failed', LATE_CODE, LATE_MSG, LATE_BODY)
      else
        active[#active + 1] = j
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
    if j.started then
      set_state(j, 'Running', 'worker', consumer, 'attempts', delivery)
    else
      set_state(j, 'Running', 'worker', consumer, 'attempts', delivery, 'started', NOWT)
    end
    ids[#ids + 1] = j.id
  end
  redis.call('HSET', WORKERS, consumer, NOW)
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
-- crash of Redis itself): XAUTOCLAIM walks the pending list, its cursor carried forward between calls. It runs
-- at most once a second (on the caller's clock) per kind, not on every empty claim.
local last_sweep = tonumber(redis.call('HGET', cursork(kind), 'at') or -1)
if last_sweep < 0 or NOW - last_sweep >= 1000 or NOW < last_sweep then
  redis.call('HSET', cursork(kind), 'at', NOW)
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
  -- Consumers that have nothing pending and have not read for idle_limit (real time, as Redis measures idleness)
  -- leave the group, so worker ids that come and go do not pile up. A consumer with pending entries is never
  -- removed: XGROUP DELCONSUMER would drop its entries from the pending list.
  for _, prio in ipairs(PRIOS) do
    local consumers = redis.pcall('XINFO', 'CONSUMERS', qk(kind, prio), GROUP)
    if type(consumers) == 'table' and not consumers.err then
      for _, c in ipairs(consumers) do
        local name, pending, idle = nil, nil, nil
        for i = 1, #c, 2 do
          if c[i] == 'name' then name = c[i + 1] elseif c[i] == 'pending' then pending = c[i + 1] elseif c[i] == 'idle' then idle = c[i + 1] end
        end
        if name and name ~= consumer and pending == 0 and idle and idle >= idle_limit then
          redis.call('XGROUP', 'DELCONSUMER', qk(kind, prio), GROUP, name)
        end
      end
    end
  end
  local workers = redis.call('HGETALL', WORKERS)
  for i = 1, #workers, 2 do
    if NOW - tonumber(workers[i + 1]) >= idle_limit then redis.call('HDEL', WORKERS, workers[i]) end
  end
  if orphans > 0 then
    res = take()
    if res then return res end
  end
end

-- Where a blocking read must start to see only what comes next: for a queue stream, the group's last delivered
-- id (everything after it is undelivered, and there is none now); for the wake stream, its newest entry.
local function last_delivered(key)
  local groups = redis.pcall('XINFO', 'GROUPS', key)
  if type(groups) ~= 'table' or groups.err then return '0-0' end
  for _, g in ipairs(groups) do
    local name, last = nil, nil
    for i = 1, #g, 2 do
      if g[i] == 'name' then name = g[i + 1] elseif g[i] == 'last-delivered-id' then last = g[i + 1] end
    end
    if name == GROUP and last then return last end
  end
  return '0-0'
end
local function newest(key)
  local r = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)
  if #r == 0 then return '0-0' end
  return r[1][1]
end
local earliest = redis.call('ZRANGE', leasek(kind), 0, 0, 'WITHSCORES')
local next_lapse = -1
if #earliest > 0 then next_lapse = earliest[2] end
return { 'none', next_lapse, last_delivered(qk(kind, 'interactive')), last_delivered(qk(kind, 'batch')), newest(wakek(kind)) }
