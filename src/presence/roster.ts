/**
 * One room's roster in the in-process Presence engine.
 *
 * @module
 */
import type { MemberInfo } from "../protocol/envelope.ts";
import { JoinOrder } from "./join_order.ts";

/** A connection's or a reservation's hold on a room. */
export interface Held {
  /** The node that holds it. */
  node: string;
  /** When it lapses without a refresh (ms). */
  expiresAt: number;
}

/** A connection's entry in a room. */
export interface Entry extends Held {
  /** When it joined (ms). */
  joinedAt: number;
  /** Its user. */
  user: User;
}

/** A user present in a room. */
export interface User {
  /** Id and name, as listed. */
  info: MemberInfo;
  /** How many connections the user has in the room (their entries are by connection id). */
  connections: number;
  /** When the user's first connection joined (ms). */
  joinedAt: number;
  /** `joinedAt` as ISO 8601, made once: every welcome lists up to 100 members. */
  joinedIso: string | undefined;
  /** Place in the room's join order. */
  number: number;
}

/** Who is in one room: users, their connections, their join order and pending reservations. */
export class Roster {
  /** Users present, by user id. */
  readonly users = new Map<string, User>();
  /** Every connection's entry, by connection id. */
  readonly entries = new Map<string, Entry>();
  /** Users in the order they joined (pages of the member list). */
  readonly order = new JoinOrder<User>();
  /** Reservations not yet joined, by connection id, oldest first. */
  readonly reservations = new Map<string, Held>();

  /**
   * Drops expired reservations and, when entries expire, expired connections.
   *
   * @param now The time (ms).
   * @param entries Whether connection entries expire too.
   */
  purge(now: number, entries: boolean): void {
    // Reservations share one TTL, so they expire in insertion order: stop at the first live one
    // (every join reads the roster, and a join storm holds many reservations).
    for (const [id, r] of this.reservations) {
      if (r.expiresAt > now) break;
      this.reservations.delete(id);
    }
    if (!entries) return;
    for (const [connectionId, entry] of this.entries) {
      if (entry.expiresAt <= now) this.remove(connectionId);
    }
  }

  /**
   * Removes a connection.
   *
   * @param connectionId Its id.
   * @returns Whether it was its user's last, and the user; `null` when not present.
   */
  remove(connectionId: string): { last: boolean; user: MemberInfo } | null {
    const entry = this.entries.get(connectionId);
    if (entry === undefined) return null;
    this.entries.delete(connectionId);
    const user = entry.user;
    if (--user.connections > 0) return { last: false, user: user.info };
    this.users.delete(user.info.id);
    this.order.remove(user.number);
    return { last: true, user: user.info };
  }
}
