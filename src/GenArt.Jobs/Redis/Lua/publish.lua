-- ARGV[9] job id, [10] dedup key, [11] 'terminal', 'image' or 'progress', [12] body JSON,
-- [13] terminal state, [14] error code ('' for none), [15] error message.
sweep()
local id = ARGV[9]
local j = job(id, ARGV[10])
if not j then return { 'notfound' } end
if j.dup then return { 'duplicate', tonumber(j.dup) } end
if TERMINAL[j.state] then return { 'finished' } end
if ARGV[11] == 'terminal' then
  local code = nil
  if ARGV[14] ~= '' then code = ARGV[14] end
  return { 'stored', finish(j, ARGV[13], code, ARGV[15], ARGV[12]) }
end
if ARGV[11] == 'image' then redis.call('HINCRBY', jk(id), 'ready', 1) end
-- A late event from a worker whose delivery was given back still shows the job at work.
if j.state == 'Queued' then
  move(j, 'Running')
  return { 'stored', append(id, ARGV[10], ARGV[12], 'state', 'Running') }
end
return { 'stored', append(id, ARGV[10], ARGV[12]) }
