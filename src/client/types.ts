/**
 * The shapes of roomd's frames as the client sees them, written by hand so that the client has
 * no runtime dependency (README's "Protocol" section is the reference).
 *
 * @module
 */

/** A member as listed in the welcome, presence frames and `members` replies. */
export interface Member {
  /** User id (the token's `sub`). */
  id: string;
  /** Display name. */
  name: string;
}

/** A message delivered to the room: `chat`, `system`, a declared type. */
export interface RoomMessage<T = unknown> {
  /** Message type. */
  type: string;
  /** Per-room id; only on persisted messages. */
  id?: number;
  /** Room id. */
  room_id: string;
  /** Sender's user id; `null` when the server is the sender. */
  user_id: string | null;
  /** Payload. */
  data: T;
  /** ISO 8601 server time. */
  timestamp: string;
}

/** `data` of a `presence` frame (single events also carry `action` and `user`). */
export interface PresenceData {
  /** `join` or `leave`, when the frame holds one event. */
  action?: "join" | "leave";
  /** The user who joined or left, when the frame holds one event. */
  user?: Member;
  /** Users who joined (batched presence). */
  joins?: Member[];
  /** Users who left (batched presence). */
  leaves?: Member[];
  /** Distinct users in the room (batched presence). */
  count?: number;
}

/** `data` of the welcome, the first frame of every connection. */
export interface WelcomeData {
  /** Always `welcome`. */
  event: "welcome";
  /** The room's public settings. */
  room: {
    id: string;
    name: string;
    metadata: Record<string, unknown>;
    max_clients: number;
    is_private: boolean;
  };
  /** Members present (the first page when the room is large). */
  members: Member[];
  /** Distinct users in the room, when the server reports it. */
  count?: number;
  /** Cursor of the next page of members, `null` when complete. */
  cursor?: string | null;
  /** Newest message id of the room. */
  last_id: number;
  /** History generation. */
  epoch: string;
  /** After a resume: whether every missed message follows. */
  recovered?: boolean;
  /** This connection's id. */
  connection_id: string;
}

/** The `data` of an `error` frame. */
export interface ErrorData {
  /** Machine-readable code (`invalid_message`, `rate_limited`, …). */
  code: string;
  /** What went wrong, for people. */
  message: string;
  /** With `rate_limited`: when the next message would be accepted. */
  retry_after_ms?: number;
}

/** What a persisted (or relayed) message's `ack` tells its sender. */
export interface Ack {
  /** The message id; absent for ephemeral types. */
  id?: number;
  /** Server time of the message. */
  timestamp: string;
}

/** One page of history. */
export interface HistoryPage {
  /** Messages, oldest first. */
  messages: RoomMessage[];
  /** Whether older messages remain. */
  has_more: boolean;
}

/** One page of members. */
export interface MembersPage {
  /** Members on this page. */
  members: Member[];
  /** Distinct users in the room. */
  count: number;
  /** Cursor of the next page, `null` when this is the last. */
  cursor: string | null;
}

/** Any frame the server sends, loosely typed: the client reads the fields it needs. */
export interface ServerFrame {
  /** Frame type. */
  type: string;
  /** The client's `ref`, on replies. */
  ref?: string;
  /** Message id. */
  id?: number;
  /** Payload. */
  data?: unknown;
  /** Server time. */
  timestamp?: string;
  /** Room id. */
  room_id?: string;
  /** Sender. */
  user_id?: string | null;
}
