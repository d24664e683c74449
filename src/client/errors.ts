/**
 * The error a client's promises reject with.
 *
 * @module
 */

/** Why the state changed (closes and refusals). */
export interface StateReason {
  /** The WebSocket close code, when a socket closed. */
  closeCode?: number;
  /** roomd's error code (`unauthorized`, `room_full`, …) or the client's (`closed`, …). */
  code: string;
  /** For people. */
  message: string;
}

/**
 * An error from roomd (an `error` frame, a refused connection) or from the client itself
 * (`timeout`, `queue_full`, `closed`). Callers catch it and read `code`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { RoomdError } from "./errors.ts";
 * const error = new RoomdError("rate_limited", "Cannot accept message: rate limit exceeded", 250);
 * assert.equal(error.code, "rate_limited");
 * assert.equal(error.retryAfterMs, 250);
 * ```
 */
export class RoomdError extends Error {
  /** Machine-readable code: the server's (`invalid_message`, …) or the client's. */
  readonly code: string;
  /** With `rate_limited`: how long until the server would accept the message. */
  readonly retryAfterMs?: number;

  /**
   * @param code Machine-readable code.
   * @param message What went wrong.
   * @param retryAfterMs Retry hint, when the server gave one.
   */
  constructor(code: string, message: string, retryAfterMs?: number) {
    super(message);
    this.name = "RoomdError";
    this.code = code;
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }
}

/**
 * The `state` event's reason for an error.
 *
 * @param error A {@linkcode RoomdError} or anything thrown.
 * @returns Its code and message.
 */
export function stateReason(error: unknown): StateReason {
  if (error instanceof RoomdError) return { code: error.code, message: error.message };
  return { code: "error", message: error instanceof Error ? error.message : String(error) };
}
