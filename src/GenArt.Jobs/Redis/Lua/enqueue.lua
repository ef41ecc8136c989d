-- ARGV[9] kind, [10] priority, [11] entry JSON, [12] job count, then per job six values:
-- id, tenant, idempotency key name ('' for none), deadline ms (''), created ticks, image count.
-- Everything is checked before anything is written, so the entry is enqueued whole or not at all.
sweep()
local kind, prio, json, n = ARGV[9], ARGV[10], ARGV[11], tonumber(ARGV[12])
local results, fresh, seen = {}, {}, {}
for i = 0, n - 1 do
  local b = 13 + i * 6
  local id, tenant, idem, deadline, created, images = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4], ARGV[b + 5]
  local repeated = nil
  if idem ~= '' then
    repeated = seen[idem]
    if not repeated then
      local other = redis.call('GET', idem)
      if other and job_state(other) then repeated = other end
    end
    if not repeated then seen[idem] = id end
  end
  if repeated then
    results[i + 1] = { 0, repeated, -1 }
  else
    local live, present = job_state(id)
    if live then return { 'inuse', i } end
    if deadline ~= '' and tonumber(deadline) <= NOW then return { 'deadline', i } end
    fresh[#fresh + 1] = { i, id, tenant, idem, deadline, created, images, present }
  end
end
if #fresh > 0 then
  if #fresh > MAXQ then return { 'toolarge', #fresh } end
  local qi = tonumber(redis.call('HGET', QUEUED, 'interactive') or 0)
  local qb = tonumber(redis.call('HGET', QUEUED, 'batch') or 0)
  if qi + qb + #fresh > MAXQ then return { 'full', qi + qb } end
  local ids = {}
  for _, f in ipairs(fresh) do ids[#ids + 1] = f[2] end
  local eid = redis.call('XADD', qk(kind, prio), '*', 'entry', json, 'jobs', table.concat(ids, ' '), 'at', NOWT)
  local ahead = qi
  if prio == 'batch' then ahead = qi + qb end
  for pos, f in ipairs(fresh) do
    local k = jk(f[2])
    -- Leftovers of an expired job with the same id (its TTL passed on the caller's clock) are replaced.
    if f[8] then redis.call('DEL', k, k .. ':events') end
    local p = ahead + pos - 1
    redis.call('HSET', k, 'tenant', f[3], 'state', 'Queued', 'priority', prio, 'kind', kind, 'entry', eid,
      'attempts', 0, 'created', f[6], 'images', f[7], 'ready', 0, 'seq', 1, 'dedup:accepted', 1)
    redis.call('XADD', k .. ':events', '0-1', 'at', NOWT, 'body', '{"type":"accepted","queuePosition":' .. p .. '}')
    if f[5] ~= '' then redis.call('HSET', k, 'deadline', f[5]) end
    if f[4] ~= '' then
      redis.call('HSET', k, 'idem', f[4])
      redis.call('DEL', f[4])
      redis.call('SET', f[4], f[2], 'NX')
    end
    results[f[1] + 1] = { 1, f[2], p }
  end
  redis.call('HINCRBY', QUEUED, prio, #fresh)
end
local out = { 'ok' }
for i = 1, n do
  out[#out + 1] = results[i][1]
  out[#out + 1] = results[i][2]
  out[#out + 1] = results[i][3]
end
return out
