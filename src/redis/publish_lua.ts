/**
 * The one Lua script that stores a message in Redis, used by both the store
 * (`RedisStore.appendMessages`, which keeps the caller's timestamp and publishes nothing) and
 * the broker (`RedisBroker.publish`, which stamps Redis `TIME` and publishes on the room's
 * channel). In one atomic step it checks and stores the dedupe key, allocates the room's next
 * id, stamps the time (never earlier than the room's last), appends to history, trims to the
 * history size and `SPUBLISH`es the entry — so the channel carries a room's messages in id
 * order whichever node published them. A room whose sequence has no epoch (new, or lost by
 * Redis) gets the fresh one passed in.
 *
 * @module
 */
import type { NewMessage } from "../store/types.ts";
import type { Origin } from "../broker/broker.ts";
import { headerTail } from "./history_entry.ts";
import type { RedisKeys } from "./keys.ts";
import { LuaScript, type RedisReply } from "./redis_link.ts";

/**
 * KEYS: seq, hist, dd (dedupe key -> `expires|id|ts|fingerprint`), ddx (dedupe keys by
 * expiry), channel (broker only).
 * ARGV: mode (`p` publish / `s` store), ts ms (store), header tail, data_json, history size,
 * fresh epoch, dedupe key (`""` for none), fingerprint, expires_at ms.
 */
const SOURCE = `
local seq, hist, dd, ddx = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local state = redis.call('HMGET', seq, 'last_id', 'trimmed', 'epoch', 'ts')
local last = tonumber(state[1]) or 0
local lastTs = tonumber(state[4]) or 0
local ts = tonumber(ARGV[2])
if ARGV[1] == 'p' or ts == nil then
  local now = redis.call('TIME')
  ts = math.max(tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000), lastTs)
end
local epoch = state[3]
if not epoch then
  epoch = ARGV[6]
  redis.call('HSET', seq, 'epoch', epoch)
end
local key = ARGV[7]
if key ~= '' then
  local held = redis.call('HGET', dd, key)
  if held then
    local exp, hid, hts, fp = string.match(held, '^(%d+)|(%d+)|(%d+)|(.*)$')
    if tonumber(exp) > ts then
      if fp ~= ARGV[8] then return {'conflict', 0, 0, epoch} end
      return {'duplicate', tonumber(hid), tonumber(hts), epoch}
    end
  end
end
local id = last + 1
local entry = '{"id":' .. string.format('%d', id) .. ',"ts":' .. string.format('%d', ts) ..
  ARGV[3] .. '\\n' .. ARGV[4]
redis.call('ZADD', hist, id, entry)
redis.call('HSET', seq, 'last_id', id, 'ts', string.format('%d', math.max(ts, lastTs)))
if key ~= '' then
  local exp = tonumber(ARGV[9])
  redis.call('HSET', dd, key, string.format('%d|%d|%d|', exp, id, ts) .. ARGV[8])
  redis.call('ZADD', ddx, exp, key)
end
local expired = redis.call('ZRANGEBYSCORE', ddx, '-inf', ts, 'LIMIT', 0, 16)
if #expired > 0 then
  redis.call('HDEL', dd, unpack(expired))
  redis.call('ZREM', ddx, unpack(expired))
end
local size = tonumber(ARGV[5])
if size > 0 and redis.call('ZCARD', hist) > size + math.floor(size / 16) then
  local cut = id - size
  redis.call('ZREMRANGEBYSCORE', hist, '-inf', cut)
  if cut > (tonumber(state[2]) or 0) then redis.call('HSET', seq, 'trimmed', cut) end
end
if ARGV[1] == 'p' then redis.call('SPUBLISH', KEYS[5], 'm' .. epoch .. '\\n' .. entry) end
return {'stored', id, ts, epoch}
`;

/** The publish script. */
export const PUBLISH_SCRIPT: LuaScript = new LuaScript(SOURCE);

/** The keys of a room the publish script touches, in its order (without the channel). */
export function roomStreamKeys(keys: RedisKeys, roomId: string): string[] {
  return ["seq", "hist", "dd", "ddx"].map((part) => keys.room(roomId, part));
}

/** What the publish script answered. */
export interface PublishReply {
  /** `stored`, `duplicate` (the original's id and time) or `conflict`. */
  status: "stored" | "duplicate" | "conflict";
  /** The message's id (the original's for a duplicate; 0 for a conflict). */
  id: number;
  /** Its time in ms. */
  ts: number;
  /** The room's epoch. */
  epoch: string;
}

/**
 * The arguments of one run of the publish script.
 *
 * @param message The message.
 * @param origin The publishing node and tag (broker), or `null` (store: the message's own
 *   timestamp is kept and nothing is published).
 * @param historySize Newest messages kept per room (0 = no limit).
 * @param freshEpoch The epoch to set when the room's sequence has none.
 * @returns ARGV.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { publishArgs } from "./publish_lua.ts";
 * const message = {
 *   type: "chat", room_id: "lobby", user_id: "ana", data_json: "{}",
 *   timestamp: "2025-01-01T00:00:00.000Z",
 * };
 * assert.equal(publishArgs(message, null, 0, "e1")[1], "1735689600000");
 * ```
 */
export function publishArgs(
  message: NewMessage,
  origin: Origin | null,
  historySize: number,
  freshEpoch: string,
): string[] {
  const { dedupe } = message;
  const ts = origin === null ? Date.parse(message.timestamp) : NaN;
  return [
    origin === null ? "s" : "p",
    Number.isFinite(ts) ? String(ts) : "",
    headerTail(message.type, message.user_id, origin),
    message.data_json,
    String(historySize),
    freshEpoch,
    dedupe?.key ?? "",
    dedupe?.fingerprint ?? "",
    dedupe === undefined ? "0" : String(Math.floor(dedupe.expires_at)),
  ];
}

/**
 * Reads the script's reply.
 *
 * @param reply `[status, id, ts, epoch]`.
 * @returns The reply as a record.
 * @throws {TypeError} When the reply has another shape.
 */
export function parsePublishReply(reply: RedisReply): PublishReply {
  if (!Array.isArray(reply) || reply.length !== 4) {
    throw new TypeError(`Cannot read the publish script's reply: ${JSON.stringify(reply)}`);
  }
  const [status, id, ts, epoch] = reply;
  return {
    status: status as PublishReply["status"],
    id: Number(id),
    ts: Number(ts),
    epoch: String(epoch),
  };
}
