-- ARGV[9] operation (heartbeat, ack, fail, release), [10] kind, [11] priority, [12] entry id, [13] consumer,
-- [14] delivery number; for fail also [15] error code, [16] message, [17] JobFailed body JSON.
-- Returns 1 when the delivery still held the entry, 0 when the claim was lost (nothing changes then).
sweep()
local op, kind, prio, eid, consumer, delivery = ARGV[9], ARGV[10], ARGV[11], ARGV[12], ARGV[13], ARGV[14]
if not holds(kind, prio, eid, consumer, delivery) then return 0 end
local member = prio .. '|' .. eid
if op == 'heartbeat' then
  redis.call('ZADD', leasek(kind), 'XX', NOW + VT, member)
  redis.call('HSET', WORKERS, consumer, NOW)
  return 1
end
redis.call('ZREM', leasek(kind), member)
if op == 'fail' then
  end_delivery(kind, prio, eid, ARGV[15], ARGV[16], ARGV[17])
  return 1
end
local d = dk(kind, prio, eid)
redis.call('HDEL', d, 'holder')
local f = entry_fields(kind, prio, eid)
local jobs = {}
if f then jobs = split(f.jobs) end
if op == 'ack' then
  for _, id in ipairs(jobs) do
    local j = job(id)
    if j and not TERMINAL[j.state] then finish(j, 'Failed', ACKED_CODE, ACKED_MSG, ACKED_BODY) end
  end
  remove_entry(kind, prio, eid)
  return 1
end
-- release: the delivery does not count towards dead-lettering.
redis.call('HINCRBY', d, 'released', 1)
local unfinished = 0
for _, id in ipairs(jobs) do
  local j = job(id)
  if j and not TERMINAL[j.state] then
    set_state(j, 'Queued')
    unfinished = unfinished + 1
  end
end
if unfinished == 0 then
  remove_entry(kind, prio, eid)
else
  redis.call('ZADD', retk(kind, prio), 0, pad(eid))
  redis.call('XADD', wakek(kind), 'MAXLEN', '~', 16, '*', 'w', '1')
end
return 1
