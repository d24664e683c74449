/**
 * The shapes of what roomd sends to clients.
 *
 * @module
 */

/** A message delivered to room members (chat, system, presence, custom types). */
export interface Envelope {
  /** Message type. */
  type: string;
  /** Per-room sequence id; only on persisted messages. */
  id?: number;
  /** Room the message belongs to. */
  room_id: string;
  /** Sender's user id; `null` when the server is the sender. */
  user_id: string | null;
  /** Payload. */
  data: unknown;
  /** ISO 8601 server time. */
  timestamp: string;
  /** The client's `ref`, only on replies to that client. */
  ref?: string;
}

/** Error codes carried by `error` messages and HTTP error bodies. */
export type ErrorCode =
  | "invalid_message"
  | "unknown_type"
  | "rate_limited"
  | "message_too_large"
  | "forbidden"
  | "unauthorized"
  | "unavailable"
  | "internal_error";

/** The `data` of an `error` message. */
export interface ErrorData {
  /** Machine-readable code. */
  code: ErrorCode;
  /** What went wrong, for people. */
  message: string;
  /** With `rate_limited`: how long until the next message would be accepted. */
  retry_after_ms?: number;
}

/** A member as listed in the welcome and in presence events. */
export interface MemberInfo {
  /** User id (the token's `sub`). */
  id: string;
  /** Display name (the token's `name`, else the id). */
  name: string;
}
