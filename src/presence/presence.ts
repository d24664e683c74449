/**
 * The Presence seam: who is in a room (users, their connections, when they joined), the
 * user's first and last connection (presence `join`/`leave`), the exact count, the member
 * list paged by a cursor, and capacity (`max_clients`) checked and reserved atomically.
 * Designed for an engine shared by several nodes: every entry carries its node's id, a node
 * refreshes its entries before their TTL runs out (a dead node's entries expire), and a
 * reservation whose socket never opened expires. The in-process engine is
 * {@linkcode LocalPresence}; tests/presence/_contract.ts is the suite every engine passes.
 *
 * @module
 */
import type { MemberInfo } from "../protocol/envelope.ts";

/** A present member, as the members API lists it. */
export interface MemberDetail extends MemberInfo {
  /** Open connections of the user in the room (on every node). */
  connections: number;
  /** When the user's first current connection joined (ISO 8601). */
  joined_at: string;
}

/** A page of members: at most the asked number, and where the next page starts. */
export interface MemberPage<T> {
  /** Members, in the order they joined. */
  members: T[];
  /** Exact number of members present. */
  count: number;
  /** Cursor of the next page; `null` when this page reached the last member. */
  cursor: string | null;
}

/** A connection as presence holds it. */
export interface PresenceEntry {
  /** Connection id (unique across nodes). */
  connectionId: string;
  /** Its user. */
  user: MemberInfo;
  /** The node the connection is on. */
  node: string;
  /** When it joined, in ms since the epoch. */
  joinedAt: number;
}

/** The answer to a reservation: a slot, or how many were taken. */
export type Reservation = { ok: true } | { ok: false; taken: number };

/** Live figures of a room. */
export interface PresenceCount {
  /** Distinct users. */
  members: number;
  /** Connections, on every node. */
  connections: number;
}

/** A user's first connection joined, or last connection left, on another node. */
export interface PresenceDiff {
  /** `join` or `leave`. */
  action: "join" | "leave";
  /** The user. */
  user: MemberInfo;
}

/** Told of the room's presence diffs made on other nodes; it must not throw. */
export type PresenceListener = (diff: PresenceDiff) => void;

/** Who is in which room, across nodes. One instance per node. */
export interface Presence {
  /** This node's id; every entry it adds carries it. */
  readonly nodeId: string;
  /**
   * How often a room's actor calls {@linkcode Presence.refresh}, in ms (a third of the entry
   * TTL); 0 when entries never expire.
   */
  readonly refreshMs: number;
  /**
   * Reserves a slot for a connection about to open, atomically: refused when open connections
   * plus unexpired reservations reach `capacity`.
   *
   * @param roomId Room id.
   * @param connectionId The connection's id.
   * @param capacity Most connections (0 = no limit).
   * @returns A slot, or how many were taken.
   */
  reserve(roomId: string, connectionId: string, capacity: number): Promise<Reservation>;
  /**
   * Drops a reservation (the socket never opened).
   *
   * @param roomId Room id.
   * @param connectionId The connection's id.
   * @returns Whether there was one.
   */
  release(roomId: string, connectionId: string): Promise<boolean>;
  /**
   * Turns a reservation into a present connection.
   *
   * @param roomId Room id.
   * @param connectionId The connection's id.
   * @param user Its user.
   * @param joinedAt When it joined (ms).
   * @returns `first`: the user's first connection in the room; `null` when the reservation
   * had expired (the connection must be refused).
   */
  join(
    roomId: string,
    connectionId: string,
    user: MemberInfo,
    joinedAt: number,
  ): Promise<{ first: boolean } | null>;
  /**
   * Removes a connection.
   *
   * @param roomId Room id.
   * @param connectionId The connection's id.
   * @returns `last`: it was its user's last connection in the room; `null` when not present.
   */
  leave(roomId: string, connectionId: string): Promise<{ last: boolean; user: MemberInfo } | null>;
  /**
   * Exact figures of the room.
   *
   * @param roomId Room id.
   * @returns Members and connections.
   */
  count(roomId: string): Promise<PresenceCount>;
  /**
   * A page of members in join order; a cursor lists every member present from the first page
   * to the last exactly once, whatever joins or leaves in between.
   *
   * @param roomId Room id.
   * @param cursor From a previous page; `undefined` starts with the first member.
   * @param limit Most members on the page.
   * @returns The page, or `null` when the cursor is not valid here.
   */
  members(
    roomId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<MemberPage<MemberDetail> | null>;
  /**
   * The same page as {@linkcode Presence.members} with each member's id and name only: what a
   * welcome and a `members` request list, without building details they do not send.
   *
   * @param roomId Room id.
   * @param cursor From a previous page; `undefined` starts with the first member.
   * @param limit Most members on the page.
   * @returns The page, or `null` when the cursor is not valid here.
   */
  memberInfos(
    roomId: string,
    cursor: string | undefined,
    limit: number,
  ): Promise<MemberPage<MemberInfo> | null>;
  /**
   * The connections of the room (every node), for a node that announces the leaves of a dead
   * one.
   *
   * @param roomId Room id.
   * @returns The entries.
   */
  entries(roomId: string): Promise<PresenceEntry[]>;
  /**
   * Renews the TTL of this node's entries in the room; a node calls it well within the TTL.
   *
   * @param roomId Room id.
   */
  refresh(roomId: string): Promise<void>;
  /**
   * Starts telling `listener` of the joins and leaves (first and last connections) that other
   * nodes make in the room, so that each node's presence frames tell of every node's.
   *
   * @param roomId Room id.
   * @param listener The actor's listener.
   */
  watch(roomId: string, listener: PresenceListener): Promise<void>;
  /**
   * Stops telling `listener`.
   *
   * @param roomId Room id.
   * @param listener The listener given to {@linkcode Presence.watch}.
   */
  unwatch(roomId: string, listener: PresenceListener): Promise<void>;
  /**
   * Forgets the room (deleted).
   *
   * @param roomId Room id.
   */
  clear(roomId: string): Promise<void>;
}
