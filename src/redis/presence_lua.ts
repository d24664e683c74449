/**
 * The Lua scripts of {@linkcode RedisPresence}, one per operation, each atomic on the room's
 * shard. Every script takes the same keys, in the order of {@linkcode PRESENCE_KEY_PARTS}
 * followed by the room's channel, and the time as an argument (never Redis `TIME`), so that
 * nodes and tests agree on one clock.
 *
 * A room's presence keys: `conns` (hash: connection id -> `{u: user id, n: node, j: joined
 * at}`), `users` (hash: user id -> `{c: connections, o: join number, j: joined at, i: user
 * JSON}`), `order` (sorted set: user id by join number), `seq` (the join number counter),
 * `resv` (sorted set: reservation by expiry) and `exp` (sorted set: connection by expiry).
 * An expired entry stays until a node hosting the room reaps it (and announces its leave);
 * reads skip it meanwhile.
 *
 * @module
 */
import { LuaScript } from "./redis_link.ts";

/** The parts of a room's presence keys, in the order every script takes them. */
export const PRESENCE_KEY_PARTS = [
  "p:conns",
  "p:users",
  "p:order",
  "p:seq",
  "p:resv",
  "p:exp",
] as const;

const PRELUDE = `
local conns, users, order, seq, resv, exp, channel =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local function touch(ttl)
  for i = 1, 6 do redis.call('PEXPIRE', KEYS[i], ttl) end
end
local function diff(node, action, userJson, everyone)
  return 'p{"n":' .. cjson.encode(node) .. ',"a":"' .. action .. '","u":' .. userJson ..
    (everyone and ',"r":true' or '') .. '}'
end
-- Adds a present connection; returns the user's JSON when it is the user's first.
local function add(id, userId, userJson, node, joinedAt, expiresAt)
  redis.call('HSET', conns, id, cjson.encode({u = userId, n = node, j = joinedAt}))
  redis.call('ZADD', exp, expiresAt, id)
  local raw = redis.call('HGET', users, userId)
  if raw then
    local u = cjson.decode(raw)
    u.c = u.c + 1
    redis.call('HSET', users, userId, cjson.encode(u))
    return nil
  end
  local o = redis.call('INCR', seq)
  redis.call('HSET', users, userId, cjson.encode({c = 1, o = o, j = joinedAt, i = userJson}))
  redis.call('ZADD', order, o, userId)
  return userJson
end
-- Removes a connection; returns its user's JSON and whether it was the user's last.
local function remove(id)
  local raw = redis.call('HGET', conns, id)
  if not raw then return nil, false end
  local userId = cjson.decode(raw).u
  redis.call('HDEL', conns, id)
  redis.call('ZREM', exp, id)
  local u = cjson.decode(redis.call('HGET', users, userId))
  u.c = u.c - 1
  if u.c > 0 then
    redis.call('HSET', users, userId, cjson.encode(u))
    return u.i, false
  end
  redis.call('HDEL', users, userId)
  redis.call('ZREM', order, userId)
  return u.i, true
end
-- Expired connections not reaped yet, by user id, and their number.
local function expired(now)
  local tally, n = {}, 0
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', exp, '-inf', now)) do
    local raw = redis.call('HGET', conns, id)
    if raw then
      local userId = cjson.decode(raw).u
      tally[userId] = (tally[userId] or 0) + 1
      n = n + 1
    end
  end
  return tally, n
end
-- Users with at least one unexpired connection.
local function liveMembers(tally)
  local members = redis.call('HLEN', users)
  for userId, n in pairs(tally) do
    local u = cjson.decode(redis.call('HGET', users, userId))
    if u.c <= n then members = members - 1 end
  end
  return members
end
`;

const script = (body: string) => new LuaScript(PRELUDE + body);

/**
 * ARGV: connection id, capacity, now, reservation TTL, key TTL. Returns -1 for a slot, else
 * the slots taken (unexpired connections plus unexpired reservations).
 */
export const RESERVE = script(`
local now = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', resv, '-inf', now)
local capacity = tonumber(ARGV[2])
if capacity > 0 then
  local taken = redis.call('HLEN', conns) - redis.call('ZCOUNT', exp, '-inf', now) +
    redis.call('ZCARD', resv)
  if taken >= capacity then return taken end
end
redis.call('ZADD', resv, now + tonumber(ARGV[4]), ARGV[1])
touch(ARGV[5])
return -1
`);

/** ARGV: connection id. Returns 1 when a reservation was dropped. */
export const RELEASE = script(`return redis.call('ZREM', resv, ARGV[1])`);

/**
 * ARGV: connection id, user id, user JSON, node, joined at, now, entry TTL, key TTL. Returns
 * -1 when the reservation had expired (or never was), 1 for the user's first connection, 0
 * otherwise; publishes the join of a first connection.
 */
export const JOIN = script(`
local id, now = ARGV[1], tonumber(ARGV[6])
local reserved = redis.call('ZSCORE', resv, id)
redis.call('ZREM', resv, id)
if not reserved or tonumber(reserved) <= now then return -1 end
if redis.call('HEXISTS', conns, id) == 1 then return 0 end
local first = add(id, ARGV[2], ARGV[3], ARGV[4], ARGV[5], now + tonumber(ARGV[7]))
touch(ARGV[8])
if not first then return 0 end
redis.call('SPUBLISH', channel, diff(ARGV[4], 'join', first, false))
return 1
`);

/**
 * ARGV: connection id, node. Returns nil when not present, else `{last (1/0), user JSON}`;
 * publishes the leave of a last connection.
 */
export const LEAVE = script(`
local userJson, last = remove(ARGV[1])
if not userJson then return nil end
if last then redis.call('SPUBLISH', channel, diff(ARGV[2], 'leave', userJson, false)) end
return {last and 1 or 0, userJson}
`);

/** ARGV: now. Returns `{members, connections}`, expired entries left out. */
export const COUNT = script(`
local tally, n = expired(tonumber(ARGV[1]))
return {liveMembers(tally), redis.call('HLEN', conns) - n}
`);

/**
 * ARGV: after (join number; 0 = from the start), limit, now. Returns nil for a cursor beyond
 * the counter, else `{members, next cursor or '', user JSON, connections, joined at, ...}`.
 */
export const MEMBERS = script(`
local after, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
if after > tonumber(redis.call('GET', seq) or '0') then return nil end
local tally = expired(tonumber(ARGV[3]))
local out, listed, last, more = {liveMembers(tally), ''}, 0, after, false
local from = '(' .. after
while not more do
  local batch = redis.call('ZRANGEBYSCORE', order, from, '+inf', 'WITHSCORES', 'LIMIT', 0, 100)
  if #batch == 0 then break end
  for i = 1, #batch, 2 do
    local u = cjson.decode(redis.call('HGET', users, batch[i]))
    local live = u.c - (tally[batch[i]] or 0)
    if live > 0 then
      if listed >= limit then more = true break end
      out[#out + 1] = u.i
      out[#out + 1] = live
      out[#out + 1] = u.j
      listed = listed + 1
      last = batch[i + 1]
    end
    from = '(' .. batch[i + 1]
  end
end
if more then out[2] = tostring(last) end
return out
`);

/** ARGV: now. Returns `{connection id, node, joined at, user JSON, ...}` of unexpired entries. */
export const ENTRIES = script(`
local now, out = tonumber(ARGV[1]), {}
local all = redis.call('HGETALL', conns)
for i = 1, #all, 2 do
  local until_ = redis.call('ZSCORE', exp, all[i])
  if until_ and tonumber(until_) > now then
    local c = cjson.decode(all[i + 1])
    out[#out + 1] = all[i]
    out[#out + 1] = c.n
    out[#out + 1] = c.j
    out[#out + 1] = cjson.decode(redis.call('HGET', users, c.u)).i
  end
end
return out
`);

/**
 * ARGV: node, now, entry TTL, key TTL, this node's connection ids... Renews those entries,
 * then removes every expired entry (a dead node's) and publishes each user's leave to every
 * node; drops expired reservations. Returns `{reaped, ids of this node not present...}`.
 */
export const REFRESH = script(`
local node, now = ARGV[1], tonumber(ARGV[2])
local out = {0}
for i = 5, #ARGV do
  if redis.call('HEXISTS', conns, ARGV[i]) == 1 then
    redis.call('ZADD', exp, now + tonumber(ARGV[3]), ARGV[i])
  else
    out[#out + 1] = ARGV[i]
  end
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', exp, '-inf', now)) do
  local userJson, last = remove(id)
  out[1] = out[1] + 1
  if last then redis.call('SPUBLISH', channel, diff(node, 'leave', userJson, true)) end
end
redis.call('ZREMRANGEBYSCORE', resv, '-inf', now)
if #ARGV > 4 then touch(ARGV[4]) end
return out
`);

/**
 * ARGV: node, now, entry TTL, key TTL, then (connection id, user id, user JSON, joined at)
 * per entry. Puts back this node's entries that another node reaped (it had stalled past the
 * TTL, or Redis lost them) and publishes each returning user's join to every node.
 */
export const RESTORE = script(`
local node, now = ARGV[1], tonumber(ARGV[2])
for i = 5, #ARGV, 4 do
  if redis.call('HEXISTS', conns, ARGV[i]) == 0 then
    local first = add(ARGV[i], ARGV[i + 1], ARGV[i + 2], node, ARGV[i + 3], now + tonumber(ARGV[3]))
    if first then redis.call('SPUBLISH', channel, diff(node, 'join', first, true)) end
  end
end
touch(ARGV[4])
return 0
`);
