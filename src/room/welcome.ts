/**
 * The welcome a connection receives first.
 *
 * @module
 */
import type { SizedFrame } from "../protocol/codec.ts";
import type { Envelope, MemberInfo } from "../protocol/envelope.ts";
import { memberListJson } from "../protocol/member_json.ts";
import { utf8Length } from "../protocol/utf8_length.ts";
import type { RoomRecord } from "../store/types.ts";
import type { MemberPage } from "../presence/presence.ts";

/** The `data` of a welcome message. */
export interface WelcomeData {
  /** Always `welcome`. */
  event: "welcome";
  /** The room's public settings. */
  room: Pick<RoomRecord, "id" | "name" | "metadata" | "max_clients" | "is_private">;
  /** The first members present in join order (the newcomer included when the page reaches it). */
  members: MemberInfo[];
  /** Exact number of members present. */
  count: number;
  /** Where a `members` request continues the list; `null` when `members` is complete. */
  cursor: string | null;
  /** Newest message id of the room (0 when none). */
  last_id: number;
  /** History generation; resume with `?since=ID&epoch=E`. */
  epoch: string;
  /** With `?since=`: whether every missed message follows; absent on a fresh join. */
  recovered?: boolean;
  /** The connection's id. */
  connection_id: string;
}

/**
 * Builds the `data` of a welcome.
 *
 * @param room The room.
 * @param members The first page of members present.
 * @param lastId Newest message id.
 * @param recovered Resume outcome, if resuming.
 * @param connectionId The connection's id.
 * @returns The welcome data.
 */
export function welcomeData(
  room: RoomRecord,
  members: MemberPage<MemberInfo>,
  lastId: number,
  recovered: boolean | undefined,
  connectionId: string,
): WelcomeData {
  const { id, name, metadata, max_clients, is_private } = room;
  return {
    event: "welcome",
    room: { id, name, metadata, max_clients, is_private },
    members: members.members,
    count: members.count,
    cursor: members.cursor,
    last_id: lastId,
    epoch: room.epoch,
    recovered,
    connection_id: connectionId,
  };
}

/** The envelope of a welcome. */
export type WelcomeEnvelope = Omit<Envelope, "data"> & { data: WelcomeData };

/**
 * The start of a welcome, up to its member list: the same text for every welcome of a room
 * until the room's record changes, so a room keeps it (see {@linkcode encodeWelcome}).
 *
 * @param envelope A welcome of the room.
 * @returns The text and its UTF-8 size.
 */
export function welcomeHead(envelope: WelcomeEnvelope): SizedFrame {
  const { type, room_id, user_id, data: { event, room } } = envelope;
  // The closing braces of `data` and of the envelope are cut: the members come next.
  const text = `${
    JSON.stringify({ type, room_id, user_id, data: { event, room } }).slice(0, -2)
  },"members":`;
  return { text, bytes: utf8Length(text) };
}

/**
 * Serializes a welcome: the same text as `JSON.stringify(envelope)`, with the member list
 * joined from each member's JSON made once ({@linkcode memberListJson}), on the join path.
 *
 * @param envelope The welcome, as `Outbox.envelope` made it: no `id` or `ref`, its keys in
 * the order `type`, `room_id`, `user_id`, `data`, `timestamp`.
 * @param head {@linkcode welcomeHead} of this welcome's room, when the caller keeps it.
 * @returns The frame and its UTF-8 size.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { encodeWelcome, type WelcomeEnvelope } from "./welcome.ts";
 * const envelope: WelcomeEnvelope = {
 *   type: "system", room_id: "lobby", user_id: null,
 *   data: {
 *     event: "welcome",
 *     room: { id: "lobby", name: "Lobby", metadata: {}, max_clients: 0, is_private: false },
 *     members: [{ id: "ana", name: "Ana" }], count: 1, cursor: null, last_id: 0,
 *     epoch: "e1", recovered: undefined, connection_id: "c1",
 *   },
 *   timestamp: "2024-05-01T12:00:00.000Z",
 * };
 * assert.equal(encodeWelcome(envelope).text, JSON.stringify(envelope));
 * ```
 */
export function encodeWelcome(
  envelope: WelcomeEnvelope,
  head: SizedFrame = welcomeHead(envelope),
): SizedFrame {
  const { event: _event, room: _room, members, ...rest } = envelope.data;
  const list = memberListJson(members);
  // `rest` without its opening brace; its closing one closes `data`.
  const tail = JSON.stringify(rest).slice(1);
  const end = `,"timestamp":${JSON.stringify(envelope.timestamp)}}`;
  return {
    text: `${head.text}${list.text},${tail}${end}`,
    bytes: head.bytes + list.bytes + 1 + utf8Length(tail) + end.length,
  };
}
