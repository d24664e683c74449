/**
 * zod schemas of every frame roomd sends. The encoder does not use them (it builds frames as
 * strings on the hot path); they describe the wire for the AsyncAPI document and for tests that
 * check real frames against it.
 *
 * @module
 */
import { z } from "zod";
import { chatData } from "./schemas.ts";

const timestamp = z.iso.datetime().describe("ISO 8601 server time");
const roomId = z.string().min(1).max(64).describe("Room id");

/** A member as the welcome, presence and `members` frames list it. */
export const memberInfo = z.strictObject({
  id: z.string().describe("User id (the token's sub)"),
  name: z.string().describe("Display name (the token's name, else the id)"),
});

/** Error codes of `error` frames. */
export const errorCode = z.enum([
  "invalid_message",
  "unknown_type",
  "rate_limited",
  "message_too_large",
  "forbidden",
  "unauthorized",
  "unavailable",
  "internal_error",
]);

/** `data` of a welcome: the room, who is there, and where history stands. */
export const welcomeData = z.strictObject({
  event: z.literal("welcome"),
  room: z.strictObject({
    id: roomId,
    name: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    max_clients: z.int().min(0).describe("0 means no limit"),
    is_private: z.boolean(),
  }),
  members: z.array(memberInfo).describe("Members present, the newcomer included"),
  count: z.int().min(0).optional().describe("Distinct users in the room"),
  cursor: z.string().nullable().optional().describe(
    "Cursor of the next `members` page; null when `members` is complete",
  ),
  last_id: z.int().min(0).describe("Newest message id of the room (0 when none)"),
  epoch: z.string().describe("History generation; resume with ?since=ID&epoch=E"),
  recovered: z.boolean().optional().describe(
    "With ?since=: whether every missed message follows",
  ),
  connection_id: z.string(),
});

/** The first frame of every connection: a `system` frame whose `data.event` is `welcome`. */
export const welcomeFrame = z.strictObject({
  type: z.literal("system"),
  room_id: roomId,
  user_id: z.null(),
  data: welcomeData,
  timestamp,
});

/**
 * A message delivered to room members, with a given type and `data` schema.
 *
 * @param type The message type (a literal), or any string.
 * @param data The schema of `data`.
 * @returns The frame schema.
 *
 * @example A chat frame
 * ```ts
 * import assert from "assert";
 * import { z } from "zod";
 * import { messageFrame } from "./outbound_schemas.ts";
 * const frame = messageFrame(z.literal("chat"), z.object({ text: z.string() }));
 * assert.ok(frame.safeParse({
 *   type: "chat", id: 1, room_id: "lobby", user_id: "42", data: { text: "hi" },
 *   timestamp: "2026-01-01T00:00:00.000Z",
 * }).success);
 * ```
 */
export function messageFrame<T extends z.ZodType, D extends z.ZodType>(type: T, data: D) {
  return z.strictObject({
    type,
    id: z.int().min(1).optional().describe("Per-room sequence id; only on persisted messages"),
    room_id: roomId,
    user_id: z.string().nullable().describe("Sender's user id; null when the server sent it"),
    data,
    timestamp,
    ref: z.string().max(64).optional(),
  });
}

/** A `chat` message. */
export const chatFrame = messageFrame(z.literal("chat"), chatData);

/** A `system` message published through `POST /api/rooms/:id/messages`. */
export const systemFrame = messageFrame(z.literal("system"), z.record(z.string(), z.unknown()));

/**
 * Sent to every member when the room's history started over under a new epoch (a Redis that
 * lost the room's keys): ids continue after `last_id` in `epoch`, and a client reloads history
 * (resuming from the old epoch is no longer possible).
 */
export const epochFrame = z.strictObject({
  type: z.literal("system"),
  room_id: roomId,
  user_id: z.null(),
  data: z.strictObject({
    event: z.literal("epoch"),
    epoch: z.string().describe("The new history generation; resume with ?since=ID&epoch=E"),
    last_id: z.int().min(0).describe("Ids continue after this one (0: history is empty)"),
  }),
  timestamp,
});

/** The reply to a persisted publish (after its commit) or to a `refresh`. */
export const ackFrame = z.strictObject({
  type: z.literal("ack"),
  ref: z.string().max(64).optional(),
  id: z.int().min(1).optional().describe("The message's id"),
  data: z.strictObject({ exp: z.int().describe("New expiry, in Unix seconds") }).optional()
    .describe("Only in reply to a refresh"),
  timestamp: timestamp.optional(),
});

/** Joins and leaves of a room (batched per presence tick). */
export const presenceFrame = z.strictObject({
  type: z.literal("presence"),
  room_id: roomId,
  user_id: z.string().nullable().describe(
    "The user of the event when the frame holds exactly one, else null",
  ),
  data: z.strictObject({
    action: z.enum(["join", "leave"]).optional(),
    user: memberInfo.optional(),
    joins: z.array(memberInfo).optional(),
    leaves: z.array(memberInfo).optional(),
    count: z.int().min(0).optional(),
  }),
  timestamp,
});

/** A message as history returns it. */
export const storedMessage = z.strictObject({
  id: z.int().min(1),
  type: z.string(),
  room_id: roomId,
  user_id: z.string().nullable(),
  data: z.unknown(),
  timestamp,
});

/** A page of history, oldest first. */
export const historyPage = z.strictObject({
  messages: z.array(storedMessage),
  has_more: z.boolean().describe("Whether older (or, with since, newer) messages remain"),
});

/** The reply to a `history` request. */
export const historyFrame = z.strictObject({
  type: z.literal("history"),
  ref: z.string().max(64).optional(),
  data: historyPage,
});

/** The reply to a `members` request. */
export const membersFrame = z.strictObject({
  type: z.literal("members"),
  ref: z.string().max(64).optional(),
  data: z.strictObject({
    members: z.array(memberInfo),
    count: z.int().min(0),
    cursor: z.string().nullable(),
  }),
});

/** A refusal of one client frame; the connection stays open unless a close follows. */
export const errorFrame = z.strictObject({
  type: z.literal("error"),
  data: z.strictObject({
    code: errorCode,
    message: z.string(),
    retry_after_ms: z.int().min(0).optional(),
  }),
  ref: z.string().max(64).optional(),
  timestamp,
});

/** Every built-in server frame by the name the AsyncAPI document gives it. */
export const OUTBOUND_FRAMES = {
  welcome: welcomeFrame,
  chat: chatFrame,
  system: systemFrame,
  epoch: epochFrame,
  ack: ackFrame,
  presence: presenceFrame,
  history: historyFrame,
  members: membersFrame,
  error: errorFrame,
} as const;
