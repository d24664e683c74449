/**
 * Turning frames into validated messages and envelopes into frames. Decoding never throws:
 * bad input becomes `{ ok: false, error }`.
 *
 * @module
 */
import type { Envelope, ErrorCode, ErrorData } from "./envelope.ts";
import { type DecodeResult, parseInbound, type TypeRegistry } from "./schemas.ts";
import { isWellFormedJson } from "./well_formed.ts";
import { utf8Length } from "./utf8_length.ts";

/**
 * Decodes one text frame: JSON, then the schema of its `type`.
 *
 * @param frame The text frame as received.
 * @param types Declared application types.
 * @returns The message, or an error to send back (with the frame's `ref` when readable).
 *
 * @example A chat message
 * ```ts
 * import assert from "assert";
 * import { decodeFrame } from "./codec.ts";
 * import { builtinTypes } from "./schemas.ts";
 * const r = decodeFrame('{"type":"chat","data":{"text":" hi "},"ref":"c1"}', builtinTypes());
 * assert.ok(r.ok && r.message.kind === "publish");
 * assert.deepEqual(r.message.data, { text: "hi" });
 * ```
 */
export function decodeFrame(frame: string, types: TypeRegistry): DecodeResult {
  let raw: unknown;
  try {
    raw = JSON.parse(frame);
  } catch {
    return fail("invalid_message", "Cannot parse message: not valid JSON");
  }
  if (!isWellFormedJson(frame, raw)) {
    return fail("invalid_message", "Cannot parse message: text is not well-formed Unicode");
  }
  return parseInbound(raw, types);
}

function fail(code: ErrorCode, message: string): DecodeResult {
  return { ok: false, error: { code, message } };
}

/**
 * Serializes an envelope once; the same string goes to every recipient.
 *
 * @param envelope The message.
 * @returns The JSON frame.
 */
export function encodeEnvelope(envelope: Envelope): string {
  return JSON.stringify(envelope);
}

/**
 * A frame with its UTF-8 size, counted from the parts it was built from: measuring the
 * finished text would first flatten it (it is a concatenation), on the broadcast path.
 */
export interface SizedFrame {
  /** The JSON frame. */
  text: string;
  /** Its size in UTF-8 bytes. */
  bytes: number;
}

/** A room message without its payload: what {@linkcode encodeMessage} wraps around it. */
export type MessageHead = Pick<Envelope, "type" | "room_id" | "user_id" | "timestamp" | "id">;

/**
 * Serializes a room message around its payload's JSON, which the caller has already made
 * (for the store as well): the same text as {@linkcode encodeEnvelope} of the envelope with
 * its keys in the order `type`, `room_id`, `user_id`, `data`, `timestamp`, `id`.
 *
 * @param head Everything but the payload; `timestamp` must be an ISO 8601 time, which needs
 * no escaping.
 * @param dataJson The payload as JSON text.
 * @param prefix {@linkcode messagePrefix} of the head's type and room, when the caller keeps it.
 * @returns The JSON frame and its size.
 *
 * @example Same text as JSON.stringify
 * ```ts
 * import assert from "assert";
 * import { encodeMessage } from "./codec.ts";
 * const head = { type: "chat", room_id: "lobby", user_id: "ana", timestamp: "2024-05-01T12:00:00.000Z", id: 7 };
 * const data = { text: "hi \"there\"" };
 * const { id, timestamp, ...start } = head;
 * const frame = encodeMessage(head, JSON.stringify(data));
 * assert.equal(frame.text, JSON.stringify({ ...start, data, timestamp, id }));
 * assert.equal(frame.bytes, new TextEncoder().encode(frame.text).length);
 * ```
 */
export function encodeMessage(
  head: MessageHead,
  dataJson: string,
  prefix: SizedFrame = messagePrefix(head.type, head.room_id),
): SizedFrame {
  const userJson = JSON.stringify(head.user_id);
  const end = head.id === undefined ? "}" : `,"id":${head.id}}`;
  const text = `${prefix.text}${userJson},"data":${dataJson},"timestamp":"${head.timestamp}"${end}`;
  const extra = prefix.bytes - prefix.text.length + nonAsciiExtra(userJson) +
    nonAsciiExtra(dataJson);
  return { text, bytes: text.length + extra };
}

/**
 * The start of every message of one type in one room, up to the `user_id` value; a room keeps
 * it per type instead of quoting both names for each message.
 *
 * @param type Message type.
 * @param roomId Room id.
 * @returns The text and its UTF-8 size.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { messagePrefix } from "./codec.ts";
 * const prefix = messagePrefix("chat", "café");
 * assert.equal(prefix.text, '{"type":"chat","room_id":"café","user_id":');
 * assert.equal(prefix.bytes, prefix.text.length + 1);
 * ```
 */
export function messagePrefix(type: string, roomId: string): SizedFrame {
  const typeJson = JSON.stringify(type);
  const roomJson = JSON.stringify(roomId);
  const text = `{"type":${typeJson},"room_id":${roomJson},"user_id":`;
  return { text, bytes: text.length + nonAsciiExtra(typeJson) + nonAsciiExtra(roomJson) };
}

/** Bytes a flat string takes in UTF-8 beyond one per UTF-16 unit. */
function nonAsciiExtra(flat: string): number {
  return utf8Length(flat) - flat.length;
}

/**
 * Builds the `ack` frame for a persisted message.
 *
 * @param ref The client's `ref` (may be undefined).
 * @param id The message id.
 * @param timestamp The message time (ISO 8601, which needs no escaping).
 * @returns The JSON frame and its size.
 */
export function encodeAck(
  ref: string | undefined,
  id: number | undefined,
  timestamp: string,
): SizedFrame {
  const refJson = ref === undefined ? "" : JSON.stringify(ref);
  const refPart = refJson === "" ? "" : `,"ref":${refJson}`;
  const idPart = id === undefined ? "" : `,"id":${id}`;
  const text = `{"type":"ack"${refPart}${idPart},"timestamp":"${timestamp}"}`;
  return { text, bytes: text.length + nonAsciiExtra(refJson) };
}

/**
 * Builds an `error` frame.
 *
 * @param error Code, message and optional retry hint.
 * @param ref The client's `ref`, when the error answers a message that had one.
 * @returns The JSON frame.
 */
export function encodeError(error: ErrorData, ref?: string): string {
  return JSON.stringify({ type: "error", data: error, ref, timestamp: new Date().toISOString() });
}
