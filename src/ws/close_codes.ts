/**
 * WebSocket close codes roomd uses, and what a client should do after each.
 *
 * @module
 */

/** Close codes, by meaning. */
export const CloseCode = {
  /** Normal closure: the client or the server ended the session on purpose. */
  normal: 1000,
  /** The server is shutting down: reconnect (to another node) and resume. */
  goingAway: 1001,
  /** The client sent a binary frame: roomd speaks JSON text only. Fix the client. */
  unsupportedData: 1003,
  /** A policy was violated. Do not reconnect as is. */
  policy: 1008,
  /** A frame was larger than `ROOMD_MAX_MESSAGE_BYTES`. Do not resend it. */
  tooLarge: 1009,
  /** The room failed internally: reconnect after a back-off and resume. */
  internalError: 1011,
  /** The token expired while connected: reconnect with a fresh token and resume. */
  tokenExpired: 4401,
  /** Removed from the room (kicked, room made private, or deleted): do not reconnect. */
  removed: 4403,
  /** The client read too slowly and its queue overflowed: reconnect and resume. */
  slowConsumer: 4408,
  /** The client kept flooding past its rate limit: back off before reconnecting. */
  flooding: 4429,
} as const;

/**
 * The code of a connection that ended without a closing handshake (received, never sent:
 * Deno reports it as 0, which roomd translates).
 */
export const ABNORMAL_CLOSURE = 1006;

/**
 * The reason Deno's runtime gives when it closes a socket for its idle timeout (with 1001):
 * no frame, not even a pong to the ping it sent halfway through, arrived within
 * `ROOMD_IDLE_TIMEOUT_S`. roomd cannot choose another code or reason for it: the runtime sends
 * the close frame itself.
 */
export const IDLE_TIMEOUT_REASON = "No response from ping frame.";

/**
 * Whether a close is the runtime's idle timeout (see {@linkcode IDLE_TIMEOUT_REASON}).
 *
 * @param code The close code.
 * @param reason The close reason.
 * @returns `true` for the idle timeout's 1001.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { IDLE_TIMEOUT_REASON, isIdleTimeout } from "./close_codes.ts";
 * assert.equal(isIdleTimeout(1001, IDLE_TIMEOUT_REASON), true);
 * assert.equal(isIdleTimeout(1001, "server shutting down"), false);
 * ```
 */
export function isIdleTimeout(code: number, reason: string): boolean {
  return code === CloseCode.goingAway && reason === IDLE_TIMEOUT_REASON;
}

/**
 * Whether a close with this code is abnormal and worth a log line (not 1000/1001/1005).
 *
 * @param code The close code.
 * @returns `true` for 1006, 1011, policy closes and roomd's 4xxx codes.
 */
export function isAbnormalClose(code: number): boolean {
  return code !== 1000 && code !== 1001 && code !== 1005;
}

/**
 * The log level a close with this code deserves: routine closes are `debug`, closes that
 * signal trouble with the client are `warning`, internal failures `error`.
 *
 * @param code The close code.
 * @returns A logtape level.
 */
export function closeLogLevel(code: number): "debug" | "info" | "warning" | "error" {
  if (!isAbnormalClose(code)) return "debug";
  if (code === CloseCode.internalError) return "error";
  if (code === ABNORMAL_CLOSURE || code === CloseCode.tokenExpired || code === CloseCode.removed) {
    return "info";
  }
  return "warning";
}
