/**
 * The small Lua scripts of the Redis store besides publishing (see `publish_lua.ts`). Each
 * touches the keys of one room only (one hash slot); the global indexes are written by
 * separate commands, because on a Redis Cluster they live on another shard.
 *
 * @module
 */
import { LuaScript } from "./redis_link.ts";

/**
 * Creates a room's record unless the id is taken, and gives its sequence the record's epoch
 * unless the sequence already has one. KEYS: rec, seq. ARGV: record JSON, epoch. Returns 1 or 0.
 */
export const CREATE_ROOM_SCRIPT: LuaScript = new LuaScript(`
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
redis.call('HSETNX', KEYS[2], 'epoch', ARGV[2])
return 1
`);

/**
 * Replaces a room's record only if it is still the one read (compare and set).
 * KEYS: rec. ARGV: the record read, the new record. Returns 1, or 0 when it changed meanwhile
 * (or vanished).
 */
export const UPDATE_ROOM_SCRIPT: LuaScript = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`);

/** Deletes every key of a room. KEYS: rec, then the rest. Returns 1 when the record existed. */
export const DELETE_ROOM_SCRIPT: LuaScript = new LuaScript(`
local existed = redis.call('EXISTS', KEYS[1])
redis.call('DEL', unpack(KEYS))
return existed
`);

/**
 * Removes a room's oldest messages stamped before a time (ids are time-ordered within a room),
 * at most a budget per run, and raises `trimmed`. KEYS: seq, hist. ARGV: cut-off ms, budget.
 * Returns how many were removed (the budget: run again).
 */
export const TRIM_BEFORE_SCRIPT: LuaScript = new LuaScript(`
local cutoff, budget = tonumber(ARGV[1]), tonumber(ARGV[2])
local removed, lastId = 0, 0
local done = false
while not done and removed < budget do
  local page = redis.call('ZRANGE', KEYS[2], removed, removed + 99, 'WITHSCORES')
  if #page == 0 then break end
  for i = 1, #page, 2 do
    local ts = tonumber(string.match(page[i], '"ts":(%d+)'))
    if ts == nil or ts >= cutoff or removed >= budget then
      done = true
      break
    end
    removed = removed + 1
    lastId = tonumber(page[i + 1])
  end
end
if removed > 0 then
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, removed - 1)
  if lastId > (tonumber(redis.call('HGET', KEYS[1], 'trimmed')) or 0) then
    redis.call('HSET', KEYS[1], 'trimmed', string.format('%d', lastId))
  end
end
return removed
`);

/**
 * Gives a room's sequence the fresh epoch unless it has one (so every node agrees on the
 * first one set) and returns where it stands. KEYS: seq. ARGV: fresh epoch.
 * Returns `[last_id, trimmed, epoch]`.
 */
export const ENSURE_EPOCH_SCRIPT: LuaScript = new LuaScript(`
redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1])
return redis.call('HMGET', KEYS[1], 'last_id', 'trimmed', 'epoch')
`);
