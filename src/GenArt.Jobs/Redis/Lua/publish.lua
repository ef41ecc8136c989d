-- ARGV[9] job id, [10] dedup key, [11] 'terminal', 'image' or 'progress', [12] body JSON,
-- [13] terminal state, [14] error code ('' for none), [15] error message.
sweep()
local id = ARGV[9]
local st = job_state(id)
if not st then return { 'notfound' } end
local prev = redis.call('HGET', jk(id) .. ':dedup', ARGV[10])
if prev then return { 'duplicate', tonumber(prev) } end
if TERMINAL[st] then return { 'finished' } end
if ARGV[11] == 'terminal' then
  local code = nil
  if ARGV[14] ~= '' then code = ARGV[14] end
  return { 'stored', finish(id, st, ARGV[13], code, ARGV[15], ARGV[12]) }
end
-- A late event from a worker whose delivery was given back still shows the job at work.
if st == 'Queued' then set_state(id, st, 'Running') end
if ARGV[11] == 'image' then redis.call('HINCRBY', jk(id), 'ready', 1) end
return { 'stored', append(id, ARGV[10], ARGV[12]) }
