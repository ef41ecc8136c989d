-- ARGV[9] operation, then its arguments:
--   get {id}             -> the job hash as field/value pairs, or an empty list when unknown or expired
--   cancel {id} {tenant} -> { 'ok', state } or { 'notfound' }
--   cancelled {id}       -> 1 when ended or gone, else 0
--   depth                -> { interactive, batch, claimed entries, dead letters }
--   reclaim              -> lapsed leases processed
--   dead {limit}         -> newest dead letters as XREVRANGE returns them
local lapsed = sweep()
local op = ARGV[9]
if op == 'get' then
  if not job_state(ARGV[10]) then return {} end
  return redis.call('HGETALL', jk(ARGV[10]))
elseif op == 'cancel' then
  local j = job(ARGV[10])
  -- Another tenant's job looks exactly like a missing one.
  if not j or j.tenant ~= ARGV[11] then return { 'notfound' } end
  if not TERMINAL[j.state] then finish(j, 'Cancelled', nil, nil, CANCELLED_BODY) end
  return { 'ok', j.state }
elseif op == 'cancelled' then
  local st = job_state(ARGV[10])
  if not st or TERMINAL[st] then return 1 end
  return 0
elseif op == 'depth' then
  local claimed = 0
  for _, kind in ipairs(KINDS) do claimed = claimed + redis.call('ZCARD', leasek(kind)) end
  return { tonumber(redis.call('HGET', QUEUED, 'interactive') or 0), tonumber(redis.call('HGET', QUEUED, 'batch') or 0),
    claimed, redis.call('XLEN', DEAD) }
elseif op == 'reclaim' then
  return lapsed
elseif op == 'dead' then
  return redis.call('XREVRANGE', DEAD, '+', '-', 'COUNT', tonumber(ARGV[10]))
end
return redis.error_reply('ERR unknown queue operation ' .. tostring(op))
