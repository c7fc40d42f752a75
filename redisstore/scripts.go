package redisstore

import "github.com/redis/go-redis/v9"

// The Lua scripts behind every step that must be atomic. They run on Redis
// 7.0 (no HEXPIRE, no functions) and name every key they touch in KEYS, all
// under the Store's hash-tagged prefix, so Cluster runs them on one node.
//
// Lua numbers are doubles: the microsecond clock values the scripts handle
// (about 1.8e15) are exact below 2^53, and are formatted with %.0f, never
// tostring, which would write them as 1.8e+15.

// serverMicros is the Redis server's clock in microseconds.
const serverMicros = `
local function server_micros()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
`

// leaseAcquire defines acquire(lease, fencekey, token, ttl, fencettl): it
// takes the lease for token (a random token) for ttl ms, and hands out a
// fence number from fencekey: the server's clock in microseconds, or one
// more than the last fence on this name when the clock is behind it, so
// fences grow even after the counter expired (fencettl ms after the last
// lease). It answers fence, 0, or 0 and the lease's pttl while another
// token holds it. A token that already holds it (a reply lost and the
// command resent) gets its own fence back.
const leaseAcquire = serverMicros + `
local function acquire(lease, fencekey, token, ttl, fencettl)
  local cur = redis.call('GET', lease)
  if cur == token then
    return tonumber(redis.call('GET', fencekey) or '0'), 0
  end
  if cur then
    return 0, redis.call('PTTL', lease)
  end
  redis.call('SET', lease, token, 'PX', ttl)
  local fence = server_micros()
  local last = tonumber(redis.call('GET', fencekey) or '0')
  if fence <= last then fence = last + 1 end
  redis.call('SET', fencekey, string.format('%.0f', fence), 'PX', fencettl)
  return fence, 0
end
`

// lockAcquire takes KEYS[1] (the lease) with the fence counter KEYS[2]
// for ARGV[1] (token) for ARGV[2] ms (the counter kept ARGV[3] ms), and
// answers {fence, 0}, or {0, pttl} while another token holds the lease.
const lockAcquire = leaseAcquire + `
local fence, wait = acquire(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])
return {fence, wait}
`

// pendingMark defines the pending mark of a grant key's turn
// (access.PendingLease), a string "<until> <token> <earlier>" in ms of the
// server's clock: until when a call of a holder of the turn may reach the
// vendor, the token of the holder that wrote it ('-' once released), and
// the until an earlier holder had left, which a clean release restores.
// mark_read(key, token) answers until and what earlier holders left (all of
// it, when another token wrote it); mark_write(key, until, token, earlier,
// now) stores it until it lapses.
const pendingMark = `
local function mark_read(key, token)
  local v = redis.call('GET', key)
  if not v then return 0, 0 end
  local u, t, e = string.match(v, '^(%d+) (%S+) (%d+)$')
  if not u then return 0, 0 end
  if t == token then return tonumber(u), tonumber(e) end
  return tonumber(u), tonumber(u)
end
local function mark_write(key, u, token, earlier, now)
  if u <= now then
    redis.call('DEL', key)
    return
  end
  redis.call('SET', key, string.format('%.0f %s %.0f', u, token, earlier), 'PX', math.ceil(u - now))
end
`

// keyTurnAcquire is lockAcquire for a grant key's turn that also reads the
// key once the lease is taken, and marks the turn pending (KEYS[6], see
// pendingMark) for twice the lease TTL from now: a holder that dies leaves
// the mark to its lease's end and a TTL more. After the epoch KEYS[3] is
// checked (ARGV[4..6]: seen, auto, fresh), it reads the key ARGV[7]'s grant
// id in the hash KEYS[4] and its applied window in the hash KEYS[5]. It
// answers {0, pttl} while another token holds the lease, {fence, 0,
// status, ”, pendingLeft} when the epoch is lost or not started, else
// {fence, 0, 'ok', epoch, found, id, appliedFound, applied, pendingLeft},
// pendingLeft being how many ms the mark earlier holders left has to run.
const keyTurnAcquire = leaseAcquire + epochCheck + pendingMark + `
local fence, wait = acquire(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])
if fence == 0 then return {0, wait} end
local now = server_micros() / 1000
local _, earlier = mark_read(KEYS[6], ARGV[1])
local u = now + 2 * tonumber(ARGV[2])
if earlier > u then u = earlier end
mark_write(KEYS[6], u, ARGV[1], earlier, now)
local left = math.max(0, math.ceil(earlier - now))
local e, bad = check_epoch(KEYS[3], ARGV[4], ARGV[5], ARGV[6])
if not e then return {fence, 0, bad, '', left} end
local id = redis.call('HGET', KEYS[4], ARGV[7])
local w = redis.call('HGET', KEYS[5], ARGV[7])
local out = {fence, 0, 'ok', e, 0, '', 0, '', left}
if id then out[5], out[6] = 1, id end
if w then out[7], out[8] = 1, w end
return out
`

// lockRenew extends KEYS[1] to ARGV[2] ms if ARGV[1] still holds it.
const lockRenew = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`

// lockRelease deletes KEYS[1] if ARGV[1] still holds it.
const lockRelease = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`

// keyTurnRenew is lockRenew for a grant key's turn: it also moves the
// turn's pending mark KEYS[2] (see pendingMark) to twice the TTL from now,
// for the token ARGV[1].
const keyTurnRenew = serverMicros + pendingMark + `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
local now = server_micros() / 1000
local _, earlier = mark_read(KEYS[2], ARGV[1])
local u = now + 2 * tonumber(ARGV[2])
if earlier > u then u = earlier end
mark_write(KEYS[2], u, ARGV[1], earlier, now)
return 1
`

// keyTurnRelease ends a grant key's turn: it makes what the holder leaves
// for the key ARGV[7] (ARGV[9] == '1': the grant id ARGV[8] in the hash
// KEYS[4] and the index KEYS[5]; ARGV[11] == '1': the applied window
// ARGV[10] in the hash KEYS[7]), fenced by ARGV[12] against KEYS[6] as
// keyWrite is (kept ARGV[13] ms), then deletes the lease KEYS[1] if the
// token ARGV[1] still holds it, and sets its pending mark KEYS[2]: back to
// what earlier holders left, or, when ARGV[3] is '1' (a call of unknown
// outcome), to the lease TTL ARGV[2] from now. It answers like keyWrite,
// after checking the epoch KEYS[3] (ARGV[4..6]).
const keyTurnRelease = serverMicros + epochCheck + fenceCheck + pendingMark + `
if ARGV[9] == '1' or ARGV[11] == '1' then
  local last = fence_refused(KEYS[6], ARGV[12], ARGV[13])
  if last then return {'fenced', last} end
  if ARGV[9] == '1' then
    redis.call('HSET', KEYS[4], ARGV[7], ARGV[8])
    redis.call('ZADD', KEYS[5], 0, ARGV[7])
  end
  if ARGV[11] == '1' then redis.call('HSET', KEYS[7], ARGV[7], ARGV[10]) end
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  local now = server_micros() / 1000
  local _, earlier = mark_read(KEYS[2], ARGV[1])
  local u = earlier
  if ARGV[3] == '1' and now + tonumber(ARGV[2]) > u then u = now + tonumber(ARGV[2]) end
  mark_write(KEYS[2], u, '-', u, now)
end
local e, bad = check_epoch(KEYS[3], ARGV[4], ARGV[5], ARGV[6])
if not e then return {bad, ''} end
return {'ok', e}
`

// epochCheck defines check_epoch(key, seen, auto, fresh): the epoch the
// store is in, or nil and 'lost' or 'uninit'. An epoch is "<gen>:<random>";
// gen is 0 for one started at first use, and the server's clock in
// microseconds for one Reinitialize started. A Store that saw no epoch
// (seen empty) takes the one there, or starts one at first use when auto
// is '1'; one that saw an epoch accepts another only if a later
// Reinitialize made it (a larger gen): a missing epoch, one started at
// first use after a loss, or an older one restored from a stale snapshot
// is a loss.
const epochCheck = `
local function epoch_gen(v)
  return tonumber(string.match(v, '^(%d+):')) or 0
end
local function check_epoch(key, seen, auto, fresh)
  local e = redis.call('GET', key)
  if not e then
    if seen ~= '' then return nil, 'lost' end
    if auto ~= '1' then return nil, 'uninit' end
    redis.call('SET', key, fresh)
    return fresh
  end
  if seen == '' then
    if auto ~= '1' and epoch_gen(e) == 0 then return nil, 'uninit' end
    return e
  end
  if e == seen or epoch_gen(e) > epoch_gen(seen) then return e end
  return nil, 'lost'
end
`

// fenceCheck defines fence_refused(key, fence, ttl): a write under the
// lease fence ARGV value fence (a string; '0': not fenced) older than the
// last one recorded in key is refused, and it returns that last fence
// formatted; otherwise it records fence in key for ttl ms and returns nil.
const fenceCheck = `
local function fence_refused(key, fence, ttl)
  if tonumber(fence) == 0 then return nil end
  local last = tonumber(redis.call('GET', key) or '0')
  if tonumber(fence) < last then return string.format('%.0f', last) end
  redis.call('SET', key, fence, 'PX', ttl)
  return nil
end
`

// keyGet answers {status, epoch, found, grantID} for ARGV[4] in the hash
// KEYS[2], after checking the epoch KEYS[1] (ARGV[1..3]: seen, auto,
// fresh).
const keyGet = epochCheck + `
local e, bad = check_epoch(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
if not e then return {bad, ''} end
local id = redis.call('HGET', KEYS[2], ARGV[4])
if not id then return {'ok', e, 0, ''} end
return {'ok', e, 1, id}
`

// keyList answers {status, epoch, key, grantID, ...}: up to ARGV[6] keys of
// the index KEYS[3] in the lexical range ARGV[4]..ARGV[5], with their grant
// ids from the hash KEYS[2], after checking the epoch KEYS[1].
const keyList = epochCheck + `
local e, bad = check_epoch(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
if not e then return {bad, ''} end
local keys = redis.call('ZRANGEBYLEX', KEYS[3], ARGV[4], ARGV[5], 'LIMIT', 0, tonumber(ARGV[6]))
local out = {'ok', e}
if #keys == 0 then return out end
local ids = redis.call('HMGET', KEYS[2], unpack(keys))
for i, k in ipairs(keys) do
  out[#out + 1] = k
  out[#out + 1] = ids[i] or ''
end
return out
`

// keyWrite puts (ARGV[7] == 'put') or deletes ARGV[4] in the hash KEYS[2]
// and the index KEYS[3]; a delete also drops the key's applied window from
// the hash KEYS[5]. A fence ARGV[6] > 0 is checked against the last
// one recorded for the key in KEYS[4]: an older one is refused ({'fenced',
// last}); otherwise it is recorded for ARGV[8] ms. Writes are not refused
// for the epoch: what they record is true, and kept for when the store is
// reinitialised. The answer is {epoch status, epoch}.
const keyWrite = epochCheck + fenceCheck + `
local last = fence_refused(KEYS[4], ARGV[6], ARGV[8])
if last then return {'fenced', last} end
if ARGV[7] == 'put' then
  redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
  redis.call('ZADD', KEYS[3], 0, ARGV[4])
else
  redis.call('HDEL', KEYS[2], ARGV[4])
  redis.call('ZREM', KEYS[3], ARGV[4])
  redis.call('HDEL', KEYS[5], ARGV[4])
end
local e, bad = check_epoch(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
if not e then return {bad, ''} end
return {'ok', e}
`

// appliedWrite sets (ARGV[7] == 'put') or deletes ARGV[4] in the hash
// KEYS[2], checking and recording the fence ARGV[6] in KEYS[3] as keyWrite
// does (ARGV[8] ms), and answers like keyWrite.
const appliedWrite = epochCheck + fenceCheck + `
local last = fence_refused(KEYS[3], ARGV[6], ARGV[8])
if last then return {'fenced', last} end
if ARGV[7] == 'put' then
  redis.call('HSET', KEYS[2], ARGV[4], ARGV[5])
else
  redis.call('HDEL', KEYS[2], ARGV[4])
end
local e, bad = check_epoch(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
if not e then return {bad, ''} end
return {'ok', e}
`

// epochStart starts a new epoch in KEYS[1], later than any before it.
const epochStart = serverMicros + epochCheck + `
local gen = server_micros()
local cur = redis.call('GET', KEYS[1])
if cur and epoch_gen(cur) >= gen then gen = epoch_gen(cur) + 1 end
local e = string.format('%.0f', gen) .. ':' .. ARGV[1]
redis.call('SET', KEYS[1], e)
return e
`

// tokenSwap stores ARGV[3] in KEYS[1] (or deletes it when ARGV[4] is '1')
// if KEYS[1] holds ARGV[2], or is empty when ARGV[1] is '0'. A store that
// already holds exactly what was to be stored (a reply lost and the command
// resent) counts as swapped.
const tokenSwap = `
local cur = redis.call('GET', KEYS[1])
if ARGV[4] ~= '1' and cur == ARGV[3] then return 1 end
if ARGV[1] == '0' then
  if cur then return 0 end
elseif cur ~= ARGV[2] then
  return 0
end
if ARGV[4] == '1' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[3])
end
return 1
`

// budgetStep is GCRA on the server's clock with an AIMD factor. KEYS[1]
// holds tat (the theoretical arrival time, µs), f (the rate factor set at
// the last backoff), t0 (its time) and c (the time of the last cut). ARGV: rate per second, burst, a
// fixed now for tests (” for the server's clock), the step ('reserve' or
// 'backoff'), the backoff in µs, the factor's recovery per second, its cut
// and the least time between two cuts in µs (the rule of internal/aimd).
// The factor recovers linearly from f at t0 to 1. Reserve takes a slot and
// answers the wait in µs; backoff multiplies the factor by the cut (at most
// once per spacing) and pushes tat so that the next slot is ARGV[5] µs
// away.
const budgetStep = serverMicros + `
local now = server_micros()
if ARGV[3] ~= '' then now = tonumber(ARGV[3]) end
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local recover = tonumber(ARGV[6])
local cut = tonumber(ARGV[7])
local spacing = tonumber(ARGV[8])
local s = redis.call('HMGET', KEYS[1], 'tat', 'f', 't0', 'c')
local tat = tonumber(s[1]) or now
if tat < now then tat = now end
local f = 1
if s[2] and s[3] then
  f = tonumber(s[2]) + (now - tonumber(s[3])) / 1000000 * recover
  if f > 1 then f = 1 end
end
local wait = 0
if ARGV[4] == 'backoff' then
  -- One cut per spacing: the refusals of one burst (or a Backoff that
  -- go-redis resent after a lost reply) lower the rate once.
  local c = tonumber(s[4])
  if not (c and now - c < spacing) then
    f = f * cut
    c = now
  end
  local em = 1000000 / (rate * f)
  local pushed = now + tonumber(ARGV[5]) + (burst - 1) * em
  if pushed > tat then tat = pushed end
  redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', tat), 'f', tostring(f), 't0', string.format('%.0f', now),
    'c', string.format('%.0f', c))
else
  local em = 1000000 / (rate * f)
  tat = tat + em
  wait = tat - burst * em - now
  if wait < 0 then wait = 0 end
  redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', tat))
end
local keep = tat - now
if f < 1 then
  local rec = (1 - f) / recover * 1000000
  if rec > keep then keep = rec end
end
redis.call('PEXPIRE', KEYS[1], math.ceil(keep / 1000) + 1000)
return math.ceil(wait)
`

// resultPut stores ARGV[1] in KEYS[1] for ARGV[2] ms unless a value is
// there, recording the put's id ARGV[3] in KEYS[2]: a put resent after a
// lost reply still learns it was the first.
const resultPut = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[2])
  return 1
end
if redis.call('GET', KEYS[2]) == ARGV[3] then return 1 end
return 0
`

// scripts are a Store's compiled scripts (redis.Script runs EVALSHA and
// falls back to EVAL when the server does not have the script cached).
type scripts struct {
	lockAcquire, lockRenew, lockRelease *redis.Script
	keyTurnAcquire, keyTurnRenew        *redis.Script
	keyTurnRelease                      *redis.Script
	keyGet, keyList, keyWrite           *redis.Script
	appliedWrite                        *redis.Script
	epochStart                          *redis.Script
	tokenSwap                           *redis.Script
	budgetStep                          *redis.Script
	resultPut                           *redis.Script
}

func newScripts() *scripts {
	return &scripts{
		lockAcquire:    redis.NewScript(lockAcquire),
		keyTurnAcquire: redis.NewScript(keyTurnAcquire),
		keyTurnRenew:   redis.NewScript(keyTurnRenew),
		keyTurnRelease: redis.NewScript(keyTurnRelease),
		lockRenew:      redis.NewScript(lockRenew),
		lockRelease:    redis.NewScript(lockRelease),
		keyGet:         redis.NewScript(keyGet),
		keyList:        redis.NewScript(keyList),
		keyWrite:       redis.NewScript(keyWrite),
		appliedWrite:   redis.NewScript(appliedWrite),
		epochStart:     redis.NewScript(epochStart),
		tokenSwap:      redis.NewScript(tokenSwap),
		budgetStep:     redis.NewScript(budgetStep),
		resultPut:      redis.NewScript(resultPut),
	}
}
