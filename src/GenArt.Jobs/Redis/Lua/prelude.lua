-- Shared by every queue script. Times are the caller's clock (the injected TimeProvider), never Redis' own:
-- NOW in Unix milliseconds for comparisons, NOWT in .NET ticks (a string) for stored timestamps.
-- ARGV[1..8] is the same header for every script; a script's own arguments start at ARGV[9].
-- Keys are derived from the prefix P, so every key a script touches lives under it (see docs/queue.md).
local P = ARGV[1]
local NOW = tonumber(ARGV[2])
local NOWT = ARGV[3]
local VT = tonumber(ARGV[4])
local MAXDEL = tonumber(ARGV[5])
local TTL = tonumber(ARGV[6])
local MAXDEAD = tonumber(ARGV[7])
local MAXQ = tonumber(ARGV[8])
local KINDS = { __KINDS__ }
local PRIOS = { 'interactive', 'batch' }
local GROUP = 'workers'
local QUEUED = P .. 'queued'
local DEAD = P .. 'dead'
local WORKERS = P .. 'workers'
local TERMINAL = { Succeeded = true, Failed = true, Cancelled = true, DeadLettered = true }

local LAPSED_CODE, LAPSED_MSG, LAPSED_BODY = '__LAPSED_CODE__', [==[__LAPSED_MSG__]==], [==[__LAPSED_BODY__]==]
local ACKED_CODE, ACKED_MSG, ACKED_BODY = '__ACKED_CODE__', [==[__ACKED_MSG__]==], [==[__ACKED_BODY__]==]
local LATE_CODE, LATE_MSG, LATE_BODY = '__LATE_CODE__', [==[__LATE_MSG__]==], [==[__LATE_BODY__]==]
local CANCELLED_BODY = [==[__CANCELLED_BODY__]==]

local function jk(id) return P .. 'job:' .. id end
local function qk(kind, prio) return P .. 'q:' .. kind .. ':' .. prio end
local function leasek(kind) return P .. 'q:' .. kind .. ':leases' end
local function retk(kind, prio) return P .. 'q:' .. kind .. ':returned:' .. prio end
local function dk(kind, prio, eid) return P .. 'q:' .. kind .. ':delivery:' .. prio .. ':' .. eid end
local function wakek(kind) return P .. 'q:' .. kind .. ':wake' end
local function cursork(kind) return P .. 'q:' .. kind .. ':autoclaim' end

local function split(s)
  local out = {}
  for w in string.gmatch(s, '%S+') do out[#out + 1] = w end
  return out
end

-- Stream ids sort numerically by their two parts; padded, they sort the same way as strings.
local function pad(eid)
  local ms, seq = string.match(eid, '^(%d+)%-(%d+)$')
  return string.rep('0', 20 - #ms) .. ms .. '-' .. string.rep('0', 20 - #seq) .. seq
end
local function unpad(m)
  local ms, seq = string.match(m, '^(%d+)%-(%d+)$')
  return (string.gsub(ms, '^0+(%d)', '%1')) .. '-' .. (string.gsub(seq, '^0+(%d)', '%1'))
end

-- The state of a live job; nil when it is missing or its finished-job TTL has passed on the caller's clock.
-- The second result says whether the hash exists at all (an expired job's leftovers may).
local function job_state(id)
  local v = redis.call('HMGET', jk(id), 'state', 'expires')
  if not v[1] then return nil, false end
  if v[2] and tonumber(v[2]) <= NOW then return nil, true end
  return v[1], true
end

-- A live job's fields, or nil as for job_state. With a dedup key, j.dup is the sequence already stored under it.
local function job(id, dedup)
  local v = redis.call('HMGET', jk(id), 'state', 'expires', 'priority', 'kind', 'entry', 'idem', 'deadline', 'tenant',
    'started', 'dedup:' .. (dedup or ''))
  if not v[1] then return nil end
  if v[2] and tonumber(v[2]) <= NOW then return nil end
  return { id = id, state = v[1], prio = v[3], kind = v[4], entry = v[5], idem = v[6], deadline = v[7], tenant = v[8],
    started = v[9], dup = v[10] }
end

-- Moves a job to another state in the queued-job counts (the cap); the caller writes the state field.
local function move(j, to)
  if j.state == 'Queued' and to ~= 'Queued' then redis.call('HINCRBY', QUEUED, j.prio, -1) end
  if to == 'Queued' and j.state ~= 'Queued' then redis.call('HINCRBY', QUEUED, j.prio, 1) end
  j.state = to
end

-- Changes a job's state; further field/value pairs are written in the same HSET.
local function set_state(j, to, ...)
  move(j, to)
  redis.call('HSET', jk(j.id), 'state', to, ...)
end

-- Appends an event with the job's next sequence number as the stream id 0-{seq}; the dedup key is a field of the
-- job hash, written together with any further field/value pairs.
local function append(id, dedup, body, ...)
  local k = jk(id)
  local seq = redis.call('HINCRBY', k, 'seq', 1)
  redis.call('XADD', k .. ':events', '0-' .. seq, 'at', NOWT, 'body', body)
  redis.call('HSET', k, 'dedup:' .. dedup, seq, ...)
  return seq
end

local function entry_fields(kind, prio, eid)
  local r = redis.call('XRANGE', qk(kind, prio), eid, eid)
  if #r == 0 then return nil end
  local f, out = r[1][2], {}
  for i = 1, #f, 2 do out[f[i]] = f[i + 1] end
  return out
end

local function remove_entry(kind, prio, eid)
  redis.pcall('XACK', qk(kind, prio), GROUP, eid)
  redis.call('XDEL', qk(kind, prio), eid)
  redis.call('ZREM', retk(kind, prio), pad(eid))
  redis.call('DEL', dk(kind, prio, eid))
end

-- An entry not held by a worker whose jobs have all ended leaves the queue at once.
local function maybe_drop_entry(kind, prio, eid)
  if redis.call('ZSCORE', leasek(kind), prio .. '|' .. eid) then return end
  local f = entry_fields(kind, prio, eid)
  if not f then return end
  for _, id in ipairs(split(f.jobs)) do
    local st = job_state(id)
    if st and not TERMINAL[st] then return end
  end
  remove_entry(kind, prio, eid)
end

-- Ends a job with its terminal event; its keys expire FinishedJobTtl later (reads check 'expires' first,
-- PEXPIRE collects the garbage).
local function finish(j, to, code, msg, body)
  move(j, to)
  local seq
  if code then
    seq = append(j.id, 'terminal', body, 'state', to, 'finished', NOWT, 'expires', NOW + TTL, 'errcode', code, 'errmsg', msg)
  else
    seq = append(j.id, 'terminal', body, 'state', to, 'finished', NOWT, 'expires', NOW + TTL)
  end
  local k = jk(j.id)
  redis.call('PEXPIRE', k, TTL)
  redis.call('PEXPIRE', k .. ':events', TTL)
  if j.idem then redis.call('PEXPIRE', j.idem, TTL) end
  maybe_drop_entry(j.kind, j.prio, j.entry)
  return seq
end

-- A delivery ended without an ack (failed or lapsed; the lease is already removed): the entry goes back to
-- the queue, or to the dead letters after its last counted delivery.
local function end_delivery(kind, prio, eid, code, msg, body)
  local d = dk(kind, prio, eid)
  redis.call('HDEL', d, 'holder')
  local f = entry_fields(kind, prio, eid)
  if not f then
    remove_entry(kind, prio, eid)
    return
  end
  local unfinished = {}
  for _, id in ipairs(split(f.jobs)) do
    local j = job(id)
    if j and not TERMINAL[j.state] then unfinished[#unfinished + 1] = j end
  end
  if #unfinished == 0 then
    remove_entry(kind, prio, eid)
    return
  end
  local h = redis.call('HMGET', d, 'delivery', 'released')
  local delivery = tonumber(h[1] or 0)
  if delivery - tonumber(h[2] or 0) >= MAXDEL then
    for _, j in ipairs(unfinished) do finish(j, 'DeadLettered', code, msg, body) end
    redis.call('XADD', DEAD, 'MAXLEN', MAXDEAD, '*', 'kind', kind, 'entryId', eid, 'entry', f.entry, 'jobs', f.jobs,
      'deliveries', delivery, 'code', code, 'message', msg, 'at', NOWT)
    remove_entry(kind, prio, eid)
    return
  end
  for _, j in ipairs(unfinished) do set_state(j, 'Queued', 'errcode', code, 'errmsg', msg) end
  redis.call('ZADD', retk(kind, prio), 0, pad(eid))
  redis.call('XADD', wakek(kind), 'MAXLEN', '~', 16, '*', 'w', '1')
end

-- Lapsed leases, oldest first, at most 100 per kind per call.
local function sweep()
  local n = 0
  for _, kind in ipairs(KINDS) do
    local lapsed = redis.call('ZRANGEBYSCORE', leasek(kind), '-inf', NOW, 'LIMIT', 0, 100)
    for _, m in ipairs(lapsed) do
      redis.call('ZREM', leasek(kind), m)
      local prio, eid = string.match(m, '^(%a+)|(.+)$')
      end_delivery(kind, prio, eid, LAPSED_CODE, LAPSED_MSG, LAPSED_BODY)
      n = n + 1
    end
  end
  return n
end

-- True when the delivery (consumer, delivery number) still holds the entry's lease.
local function holds(kind, prio, eid, consumer, delivery)
  if not redis.call('ZSCORE', leasek(kind), prio .. '|' .. eid) then return false end
  local h = redis.call('HMGET', dk(kind, prio, eid), 'holder', 'delivery')
  return h[1] == consumer and h[2] == delivery
end
