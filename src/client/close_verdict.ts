/**
 * What a client does after its socket closed, by close code (README's close-code table).
 *
 * @module
 */
import { RoomdError } from "./errors.ts";
import type { StateReason } from "./events.ts";

/** The decision after a close. */
export interface CloseVerdict {
  /**
   * `retry` after a back-off, `renew` the token and retry, `stop` for good, or `check` why the
   * handshake failed (`GET /api/connect/:room_id`).
   */
  action: "retry" | "renew" | "stop" | "check";
  /** Why, for the `state` event. */
  reason: StateReason;
  /** Least wait before the next attempt, in ms. */
  minDelayMs: number;
  /** Sends in flight that must not be sent again, and their rejection. */
  failInFlight?: RoomdError;
}

/**
 * Decides what to do after a close.
 *
 * @param code The close code.
 * @param reason The close reason.
 * @param welcomed Whether the connection got its welcome (else the handshake may have failed).
 * @param floodBackoffMs Least wait after a 4429.
 * @returns The decision.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { closeVerdict } from "./close_verdict.ts";
 * assert.equal(closeVerdict(4403, "removed", true, 5000).action, "stop");
 * assert.equal(closeVerdict(4401, "token expired", true, 5000).action, "renew");
 * assert.equal(closeVerdict(4429, "flooding", true, 5000).minDelayMs, 5000);
 * assert.equal(closeVerdict(1006, "", false, 5000).action, "check");
 * ```
 */
export function closeVerdict(
  code: number,
  reason: string,
  welcomed: boolean,
  floodBackoffMs: number,
): CloseVerdict {
  const why = (errorCode: string, message: string): StateReason => ({
    closeCode: code,
    code: errorCode,
    message: reason ? `${message} (${reason})` : message,
  });
  const retry = (errorCode: string, message: string, minDelayMs = 0): CloseVerdict => ({
    action: "retry",
    reason: why(errorCode, message),
    minDelayMs,
  });
  switch (code) {
    case 1000:
      return { action: "stop", reason: why("closed", "Closed by the server"), minDelayMs: 0 };
    case 1008:
      return {
        action: "stop",
        reason: why("policy", "Closed for a policy violation"),
        minDelayMs: 0,
      };
    case 4403:
      return { action: "stop", reason: why("removed", "Removed from the room"), minDelayMs: 0 };
    case 4401:
      return { action: "renew", reason: why("token_expired", "The token expired"), minDelayMs: 0 };
    case 4429:
      return retry("flooding", "Closed for flooding", floodBackoffMs);
    case 4408:
      return retry("slow_consumer", "Closed for reading too slowly");
    case 1009:
      return {
        ...retry("message_too_large", "A message was too large"),
        failInFlight: new RoomdError(
          "message_too_large",
          "Cannot send message: the server closed the connection for a frame over its size limit",
        ),
      };
    case 1001:
      return retry("going_away", "The server is going away");
    case 1011:
      return retry("internal_error", "The room failed on the server");
    default:
      if (!welcomed) {
        return { action: "check", reason: why("connect_failed", "Cannot connect"), minDelayMs: 0 };
      }
      return retry("disconnected", "The connection dropped");
  }
}
