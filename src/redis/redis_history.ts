/**
 * The message side of the Redis store: each room's history (a sorted set, score = id), its
 * sequence hash (`last_id`, `trimmed`, `epoch`, `ts`) and its dedupe keys, written by the
 * publish script; reads, the sequence, and trimming by age. Rooms with history are listed in
 * a global set (written beside the script, not in it: on a Cluster it is on another shard), so
 * that trimming by age reaches every room.
 *
 * @module
 */
import type { Origin } from "../broker/broker.ts";
import type { HistoryPage, HistoryQuery, NewMessage, SequenceState } from "../store/types.ts";
import { type ParsedEntry, parseEntry, storedFromEntry } from "./history_entry.ts";
import type { RedisKeys } from "./keys.ts";
import {
  parsePublishReply,
  PUBLISH_SCRIPT,
  publishArgs,
  type PublishReply,
  roomStreamKeys,
} from "./publish_lua.ts";
import type { RedisLink, RedisReply } from "./redis_link.ts";
import { ENSURE_EPOCH_SCRIPT, TRIM_BEFORE_SCRIPT } from "./room_lua.ts";
import { newEpoch } from "../room/new_room.ts";

/** Messages removed by one run of the trim script. */
const TRIM_BUDGET = 5000;

/** Each room's history, sequence and dedupe keys in Redis. */
export class RedisHistory {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #historySize: number;
  readonly #streams: string;

  /**
   * @param link The node's Redis.
   * @param keys Key names.
   * @param historySize Newest messages kept per room (0 = no limit).
   */
  constructor(link: RedisLink, keys: RedisKeys, historySize: number) {
    this.#link = link;
    this.#keys = keys;
    this.#historySize = historySize;
    this.#streams = keys.global("streams");
  }

  /**
   * Stores one message with the publish script: through the store (`origin` null: its own
   * timestamp, nothing published) or the broker (Redis time, published on the room's channel).
   *
   * @param message The message.
   * @param origin The publishing node and tag, or `null`.
   * @returns The script's reply.
   */
  async publish(message: NewMessage, origin: Origin | null): Promise<PublishReply> {
    const roomId = message.room_id;
    const keys = roomStreamKeys(this.#keys, roomId);
    if (origin !== null) keys.push(this.#keys.channel(roomId));
    const args = publishArgs(message, origin, this.#historySize, newEpoch());
    const reply = parsePublishReply(await this.#link.eval(PUBLISH_SCRIPT, keys, args));
    // The first message of a stream (and once in a while, to mend a missed write) lists it.
    if (reply.status === "stored" && (reply.id === 1 || reply.id % 1024 === 0)) {
      await this.#link.command(["SADD", this.#streams, roomId], this.#streams);
    }
    return reply;
  }

  /**
   * Reads a page of history (the limit is checked by the caller).
   *
   * @param roomId Room id.
   * @param query Bounds and page size.
   * @returns Messages oldest first, and whether more lie beyond the page.
   */
  async read(roomId: string, query: HistoryQuery): Promise<HistoryPage> {
    const hist = this.#keys.room(roomId, "hist");
    const count = String(query.limit + 1);
    const above = query.since === undefined ? "-inf" : `(${query.since}`;
    const below = query.before === undefined ? "+inf" : `(${query.before}`;
    const oldestFirst = query.since !== undefined && query.before === undefined;
    const reply = oldestFirst
      ? await this.#link.command(["ZRANGEBYSCORE", hist, above, "+inf", "LIMIT", "0", count], hist)
      : await this.#link.command(
        ["ZREVRANGEBYSCORE", hist, below, above, "LIMIT", "0", count],
        hist,
      );
    const entries = (reply as string[]).slice(0, query.limit);
    if (!oldestFirst) entries.reverse();
    return {
      messages: entries.map((entry) => storedFromEntry(roomId, entry)),
      has_more: (reply as string[]).length > query.limit,
    };
  }

  /**
   * The room's sequence state.
   *
   * @param roomId Room id.
   * @returns Zeros for a room never written.
   */
  async sequence(roomId: string): Promise<SequenceState> {
    const seq = this.#keys.room(roomId, "seq");
    const [last, trimmed] = await this.#link.command(
      ["HMGET", seq, "last_id", "trimmed"],
      seq,
    ) as RedisReply[];
    return { last_id: Number(last ?? 0), trimmed: Number(trimmed ?? 0) };
  }

  /**
   * Where the room's stream stands, with the epoch of its sequence.
   *
   * @param roomId Room id.
   * @returns Last and trimmed ids, and the epoch (`null` when the sequence has none).
   */
  async position(roomId: string): Promise<SequenceState & { epoch: string | null }> {
    const seq = this.#keys.room(roomId, "seq");
    const reply = await this.#link.command(["HMGET", seq, "last_id", "trimmed", "epoch"], seq);
    return streamPosition(reply);
  }

  /**
   * Gives the room's sequence a fresh epoch unless it has one, and tells where it stands.
   *
   * @param roomId Room id.
   * @returns Last and trimmed ids and the epoch every node now agrees on.
   */
  async ensureEpoch(roomId: string): Promise<SequenceState & { epoch: string }> {
    const seq = this.#keys.room(roomId, "seq");
    const reply = await this.#link.eval(ENSURE_EPOCH_SCRIPT, [seq], [newEpoch()]);
    const position = streamPosition(reply);
    return { ...position, epoch: position.epoch ?? "" };
  }

  /**
   * The oldest entries after an id, as the broker backfills them (payload as written, with
   * their origin).
   *
   * @param roomId Room id.
   * @param since Entries with a greater id.
   * @param limit At most this many.
   * @returns The entries, oldest first.
   */
  async entriesAfter(roomId: string, since: number, limit: number): Promise<ParsedEntry[]> {
    const hist = this.#keys.room(roomId, "hist");
    const reply = await this.#link.command(
      ["ZRANGEBYSCORE", hist, `(${since}`, "+inf", "LIMIT", "0", String(limit)],
      hist,
    );
    return (reply as string[]).map((entry) => parseEntry(roomId, entry));
  }

  /**
   * Removes messages stamped before `olderThan` in every room with history.
   *
   * @param olderThan The cut-off time.
   */
  async trimOlderThan(olderThan: Date): Promise<void> {
    const cutoff = String(olderThan.getTime());
    let cursor = "0";
    do {
      const [next, rooms] = await this.#link.command(
        ["SSCAN", this.#streams, cursor, "COUNT", "200"],
        this.#streams,
      ) as [string, string[]];
      cursor = next;
      await Promise.all(rooms.map((roomId) => this.#trimRoom(roomId, cutoff)));
    } while (cursor !== "0");
  }

  /**
   * The keys a room's history uses, for deleting the room.
   *
   * @param roomId Room id.
   * @returns Its sequence, history and dedupe keys.
   */
  roomKeys(roomId: string): string[] {
    return roomStreamKeys(this.#keys, roomId);
  }

  /**
   * Forgets that a room has history (after it was deleted).
   *
   * @param roomId Room id.
   */
  async unlist(roomId: string): Promise<void> {
    await this.#link.command(["SREM", this.#streams, roomId], this.#streams);
  }

  async #trimRoom(roomId: string, cutoff: string): Promise<void> {
    const keys = [this.#keys.room(roomId, "seq"), this.#keys.room(roomId, "hist")];
    while (
      Number(await this.#link.eval(TRIM_BEFORE_SCRIPT, keys, [cutoff, String(TRIM_BUDGET)])) ===
        TRIM_BUDGET
    );
  }
}

/** `[last_id, trimmed, epoch]` as HMGET answers them. */
function streamPosition(reply: RedisReply): SequenceState & { epoch: string | null } {
  const [last, trimmed, epoch] = reply as RedisReply[];
  return {
    last_id: Number(last ?? 0),
    trimmed: Number(trimmed ?? 0),
    epoch: typeof epoch === "string" ? epoch : null,
  };
}
