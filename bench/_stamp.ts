/**
 * The load tool's chat payload: the send time sits at a fixed spot at the start of the text, so
 * a receiver finds it with one `indexOf` and a few `charCodeAt` calls instead of parsing the
 * whole envelope.
 *
 * Text layout: `~` + 12-digit send time in microseconds + `~` + padding up to the payload size.
 *
 * @module
 */

/** Characters of the text taken by the stamp (`~` + 12 digits + `~`). */
export const STAMP_LENGTH = 14;

const DIGITS = 12;
const MARKER = '"~';
const TILDE = 0x7e;
const ZERO = 0x30;

/**
 * Builds the padding that follows the stamp so the whole text is `size` characters long.
 *
 * @param size Payload size in bytes (ASCII, so characters), at least {@linkcode STAMP_LENGTH}.
 * @returns The padding string.
 * @throws {RangeError} When `size` is smaller than the stamp.
 *
 * @example Padding for a 20-byte payload
 * ```ts
 * import assert from "assert";
 * import { padding } from "./_stamp.ts";
 * assert.ok(padding(20) === "xxxxxx");
 * ```
 */
export function padding(size: number): string {
  if (size < STAMP_LENGTH) {
    throw new RangeError(`Cannot build a payload of ${size} bytes: the stamp alone takes 14`);
  }
  return "x".repeat(size - STAMP_LENGTH);
}

/**
 * Encodes a chat frame as the client sends it, with the send time in the text.
 *
 * @param micros Send time in whole microseconds (below 10^12).
 * @param pad Padding from {@linkcode padding}.
 * @param ref The request reference.
 * @returns The JSON text of the frame.
 *
 * @example A frame
 * ```ts
 * import assert from "assert";
 * import { chatFrame } from "./_stamp.ts";
 * const frame = chatFrame(1500, "xx", "7");
 * assert.ok(frame === '{"type":"chat","data":{"text":"~000000001500~xx"},"ref":"7"}');
 * ```
 */
export function chatFrame(micros: number, pad: string, ref: string): string {
  return '{"type":"chat","data":{"text":"~' + String(micros).padStart(DIGITS, "0") + "~" + pad +
    '"},"ref":"' + ref + '"}';
}

/**
 * Finds the send time in a received frame without parsing it.
 *
 * @param frame A text frame from the server.
 * @returns The send time in microseconds, or -1 when the frame carries no stamp (acks, presence,
 * welcome, errors).
 *
 * @example Reading the stamp of a delivered message
 * ```ts
 * import assert from "assert";
 * import { readStamp } from "./_stamp.ts";
 * const frame = '{"type":"chat","data":{"text":"~000000001500~xx"},"timestamp":"t"}';
 * assert.ok(readStamp(frame) === 1500);
 * assert.ok(readStamp('{"type":"ack","ref":"7"}') === -1);
 * ```
 */
export function readStamp(frame: string): number {
  const at = frame.indexOf(MARKER);
  if (at < 0) return -1;
  const start = at + 2;
  if (frame.charCodeAt(start + DIGITS) !== TILDE) return -1;
  let value = 0;
  for (let i = start; i < start + DIGITS; i++) {
    const digit = frame.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
