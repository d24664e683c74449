/**
 * Reading server frames and writing client ones' refs.
 *
 * @module
 */
import { RoomdError } from "./errors.ts";
import type { ServerFrame } from "./types.ts";

/**
 * Parses a text frame; anything that is not a JSON object with a string `type` is `null`.
 *
 * @param text The frame.
 * @returns The frame, or `null`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { parseFrame } from "./frames.ts";
 * assert.equal(parseFrame('{"type":"ack","ref":"a"}')?.type, "ack");
 * assert.equal(parseFrame("[1]"), null);
 * ```
 */
export function parseFrame(text: unknown): ServerFrame | null {
  if (typeof text !== "string") return null;
  try {
    const frame = JSON.parse(text);
    return typeof frame?.type === "string" ? frame : null;
  } catch {
    return null;
  }
}

/**
 * Whether a frame is a connection's welcome.
 *
 * @param frame A frame.
 * @returns `true` for `{"type":"system","data":{"event":"welcome"}}`.
 */
export function isWelcome(frame: ServerFrame): boolean {
  return frame.type === "system" && (frame.data as { event?: unknown })?.event === "welcome";
}

/**
 * The error an `error` frame carries.
 *
 * @param frame An `error` frame.
 * @returns The error, with the server's code, message and retry hint.
 */
export function errorOf(frame: ServerFrame): RoomdError {
  const data = (frame.data ?? {}) as {
    code?: unknown;
    message?: unknown;
    retry_after_ms?: unknown;
  };
  return new RoomdError(
    typeof data.code === "string" ? data.code : "error",
    typeof data.message === "string" ? data.message : "The server refused the message",
    typeof data.retry_after_ms === "number" ? data.retry_after_ms : undefined,
  );
}

/**
 * Makes refs that are unique per client (a random prefix and a counter) and serve as the
 * client message id (`cid`) as well: at most 18 characters, within the protocol's 64.
 *
 * @returns A function returning the next ref.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { refMaker } from "./frames.ts";
 * const next = refMaker();
 * assert.notEqual(next(), next());
 * ```
 */
export function refMaker(): () => string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  const prefix = btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_");
  let counter = 0;
  return () => `${prefix}.${(++counter).toString(36)}`;
}
