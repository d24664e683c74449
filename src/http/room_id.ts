/**
 * Room ids in paths: percent-decoded, then checked against the allowed shape.
 *
 * @module
 */

/**
 * What a room id must look like: 1 to 64 of `A-Z a-z 0-9 . _ : -`, but not `.` or `..`, which
 * URL paths collapse (such a room could never be reached).
 */
export const ROOM_ID_PATTERN = /^(?!\.\.?$)[A-Za-z0-9._:-]{1,64}$/;

/**
 * Decodes and checks a room id from a path segment.
 *
 * @param segment The raw (percent-encoded) path segment.
 * @returns The id, or `null` when it is not a valid room id.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { parseRoomId } from "./room_id.ts";
 * assert.ok(parseRoomId("team%3Ageneral") === "team:general");
 * assert.ok(parseRoomId("bad%20id") === null);
 * assert.ok(parseRoomId("%2E%2E") === null);
 * ```
 */
export function parseRoomId(segment: string | undefined): string | null {
  if (segment === undefined) return null;
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    return null;
  }
  return ROOM_ID_PATTERN.test(id) ? id : null;
}
