/**
 * The `refresh` request: a connection hands over a new token for its user, and its
 * token-expiry deadline moves to the new token's `exp` without reconnecting.
 *
 * @module
 */
import { mayJoinRoom } from "../auth/rooms_claim.ts";
import type { TokenVerifier } from "../auth/verifier.ts";
import type { Metrics } from "../metrics/metrics.ts";
import { encodeError } from "../protocol/codec.ts";
import type { ErrorData } from "../protocol/envelope.ts";
import { CloseCode } from "../ws/close_codes.ts";
import type { Connection } from "../ws/connection.ts";

/** What holds a connection's token deadline. */
export interface TokenHolder {
  /**
   * Moves the connection's token-expiry deadline.
   *
   * @param at The new deadline, ms since the epoch.
   */
  moveExpiry(at: number): void;
}

/** What a refresh needs from the server. */
export interface RefreshDeps {
  /** Verifies the new token. */
  verifier: TokenVerifier;
  /** Counters. */
  metrics: Metrics;
}

/**
 * Verifies a connection's new token. Accepted (same `sub`, still granted the room): the
 * deadline moves and the client gets `{"type":"ack","ref","data":{"exp"}}`. Refused: an `error`,
 * then the connection closes with 4401 (invalid token or another user's) or 4403 (the token's
 * `rooms` no longer grant the room). Never throws.
 *
 * @param connection The connection.
 * @param token The new token.
 * @param ref The request's `ref`.
 * @param deps Verifier and metrics.
 * @param holder Holds the connection's deadline.
 */
export async function refreshToken(
  connection: Connection,
  token: string,
  ref: string | undefined,
  deps: RefreshDeps,
  holder: TokenHolder,
): Promise<void> {
  const verified = await deps.verifier.verify(token);
  if (connection.closing) return;
  if (!verified.ok) {
    return refuse(connection, deps.metrics, ref, CloseCode.tokenExpired, {
      code: "unauthorized",
      message: `Cannot refresh token: ${verified.reason}`,
    });
  }
  const principal = verified.principal;
  if (principal.id !== connection.principal.id) {
    return refuse(connection, deps.metrics, ref, CloseCode.tokenExpired, {
      code: "unauthorized",
      message: "Cannot refresh token: it is for another user",
    });
  }
  if (!mayJoinRoom(principal, connection.roomId)) {
    return refuse(connection, deps.metrics, ref, CloseCode.removed, {
      code: "forbidden",
      message: `Cannot refresh token: it does not grant room "${connection.roomId}"`,
    });
  }
  holder.moveExpiry(principal.expiresAt);
  const exp = Math.floor(principal.expiresAt / 1000);
  connection.send(JSON.stringify({ type: "ack", ref, data: { exp } }));
}

function refuse(
  connection: Connection,
  metrics: Metrics,
  ref: string | undefined,
  closeCode: number,
  error: ErrorData,
): void {
  metrics.error(error.code);
  connection.send(encodeError(error, ref));
  connection.close(closeCode, "token refused");
}
