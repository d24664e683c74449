/**
 * The Lua scripts of {@linkcode RedisUserLimits}. A user's connection slots are a sorted set
 * (`{u:<id>}:conns`: `<node> <connection id>` by expiry); a user's join attempts a token
 * bucket (`{u:<id>}:joins`: tokens and the time they were counted), refilled like the
 * in-process `JoinLimiter`. The time comes as an argument, so nodes and tests share one clock.
 *
 * @module
 */
import { LuaScript } from "./redis_link.ts";

/**
 * KEYS: slots. ARGV: member, now, TTL, limit, key TTL, take (1) or only check (0). Returns -1
 * for a slot (taken when asked), else the unexpired slots held.
 */
export const ACQUIRE = new LuaScript(`
local now = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
local held = redis.call('ZCARD', KEYS[1])
if held >= tonumber(ARGV[4]) then return held end
if ARGV[6] == '1' then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
end
return -1
`);

/** KEYS: slots. ARGV: expiry, key TTL, members... Renews (or puts back) this node's slots. */
export const RENEW = new LuaScript(`
for i = 3, #ARGV do redis.call('ZADD', KEYS[1], ARGV[1], ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0
`);

/**
 * KEYS: bucket. ARGV: now, attempts per window, window (ms), take (1) or only peek (0).
 * Returns 0 when an attempt is (or would be) allowed, else the seconds to wait.
 */
export const ATTEMPT = new LuaScript(`
local now, limit, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local perMs = limit / window
local state = redis.call('HMGET', KEYS[1], 't', 'l')
local tokens = limit
if state[1] then
  tokens = math.min(limit, tonumber(state[1]) + math.max(0, now - tonumber(state[2])) * perMs)
end
if tokens < 1 then return math.max(1, math.ceil((1 - tokens) / perMs / 1000)) end
if ARGV[4] == '1' then
  redis.call('HSET', KEYS[1], 't', tostring(tokens - 1), 'l', ARGV[1])
  redis.call('PEXPIRE', KEYS[1], window * 2)
end
return 0
`);
