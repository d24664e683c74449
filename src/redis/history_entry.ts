/**
 * How the Redis engine writes a stored message: one history entry (a member of the room's
 * sorted set, score = id) is a JSON header line and the payload as written, so that a node
 * parses the small header once and hands the payload on as it came, never re-serializing it.
 * The room channel carries the same entry behind the room's epoch.
 *
 * Entry: `{"id":7,"ts":1733000000000,"type":"chat","user_id":"ana","node":"n1","tag":3}\n<data_json>`
 * (`node` and `tag` only for messages published through the broker). Bus body: `<epoch>\n<entry>`.
 *
 * @module
 */
import type { Origin } from "../broker/broker.ts";
import type { SerializedMessage, StoredMessage } from "../store/types.ts";

/** The header of an entry as parsed. */
interface EntryHeader {
  id: number;
  ts: number;
  type: string;
  user_id: string | null;
  node?: string;
  tag?: number;
}

/**
 * The part of an entry's header the node writes (the publish script puts the id and time
 * before it): type, sender and, for the broker, the publishing node and its tag.
 *
 * @param type Message type.
 * @param userId Sender, or `null`.
 * @param origin The publishing node and its tag, or `null`.
 * @returns The header's tail, starting with a comma and ending with `}`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { headerTail } from "./history_entry.ts";
 * assert.equal(headerTail("chat", "ana", null), ',"type":"chat","user_id":"ana"}');
 * ```
 */
export function headerTail(type: string, userId: string | null, origin: Origin | null): string {
  const fields = `,"type":${JSON.stringify(type)},"user_id":${JSON.stringify(userId)}`;
  if (origin === null) return `${fields}}`;
  return `${fields},"node":${JSON.stringify(origin.node)},"tag":${origin.tag}}`;
}

/** A message read from an entry, with who published it. */
export interface ParsedEntry {
  /** The message, its payload as written. */
  message: SerializedMessage;
  /** The publishing node and its tag; `null` for messages appended through the store. */
  origin: Origin | null;
}

/**
 * Reads an entry (or a bus body from `start`, the index after its epoch line).
 *
 * @param roomId The room it belongs to.
 * @param text The entry.
 * @param start Where the entry begins in `text`.
 * @returns The message and its origin.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { parseEntry } from "./history_entry.ts";
 * const { message } = parseEntry("lobby", '{"id":1,"ts":0,"type":"chat","user_id":null}\n{}');
 * assert.equal(message.timestamp, "1970-01-01T00:00:00.000Z");
 * assert.equal(message.data_json, "{}");
 * ```
 */
export function parseEntry(roomId: string, text: string, start = 0): ParsedEntry {
  const end = text.indexOf("\n", start);
  const header = JSON.parse(text.slice(start, end)) as EntryHeader;
  return {
    message: {
      id: header.id,
      type: header.type,
      room_id: roomId,
      user_id: header.user_id,
      timestamp: new Date(header.ts).toISOString(),
      data_json: text.slice(end + 1),
    },
    origin: header.node === undefined ? null : { node: header.node, tag: header.tag ?? 0 },
  };
}

/**
 * A history entry as the store returns it: its payload parsed.
 *
 * @param roomId The room.
 * @param text The entry.
 * @returns The stored message.
 */
export function storedFromEntry(roomId: string, text: string): StoredMessage {
  const { data_json, ...fields } = parseEntry(roomId, text).message;
  return { ...fields, data: JSON.parse(data_json) };
}
