-- From ARGV[9], one group of 7 per event, applied in order: job id, dedup key, 'terminal', 'image' or 'progress',
-- body JSON, terminal state, error code ('' for none), error message.
-- Returns { 'notfound', index } (nothing stored) when any event names an unknown job, else an outcome and a sequence
-- number per event.
sweep()
local count = (#ARGV - 8) / 7
for e = 0, count - 1 do
  if not job_state(ARGV[9 + 7 * e]) then return { 'notfound', e } end
end
local out = {}
for e = 0, count - 1 do
  local a = 8 + 7 * e
  local id, dedup, class, body = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local j = job(id, dedup)
  if j.dup then
    out[#out + 1] = 'duplicate'
    out[#out + 1] = tonumber(j.dup)
  elseif TERMINAL[j.state] then
    out[#out + 1] = 'finished'
    out[#out + 1] = 0
  elseif class == 'terminal' then
    local code = nil
    if ARGV[a + 6] ~= '' then code = ARGV[a + 6] end
    out[#out + 1] = 'stored'
    out[#out + 1] = finish(j, ARGV[a + 5], code, ARGV[a + 7], body)
  else
    if class == 'image' then redis.call('HINCRBY', jk(id), 'ready', 1) end
    out[#out + 1] = 'stored'
    -- A late event from a worker whose delivery was given back still shows the job at work.
    if j.state == 'Queued' then
      move(j, 'Running')
      out[#out + 1] = append(id, dedup, body, 'state', 'Running')
    else
      out[#out + 1] = append(id, dedup, body)
    end
  end
end
return out
