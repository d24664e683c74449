/**
 * Who is present in a room: users, each with one or more connections. A user with several
 * connections is one member.
 *
 * @module
 */
import type { Connection } from "../ws/connection.ts";
import type { MemberInfo } from "../protocol/envelope.ts";

/** A present member, as the members API lists it. */
export interface MemberDetail extends MemberInfo {
  /** Open connections of the user in the room. */
  connections: number;
  /** When the user's first current connection joined (ISO 8601). */
  joined_at: string;
}

interface Member {
  info: MemberInfo;
  connections: number;
  joinedAt: number;
}

/**
 * Connections and members of one room. Owned by the room actor; not shared.
 */
export class Members {
  /** Open connections by id. */
  readonly connections = new Map<string, Connection>();
  readonly #users = new Map<string, Member>();
  #list: Connection[] | null = null;

  /** Number of distinct users present. */
  get userCount(): number {
    return this.#users.size;
  }

  /**
   * Adds a connection.
   *
   * @param connection The new connection.
   * @returns `true` when it is the user's first connection (a presence `join`).
   */
  add(connection: Connection): boolean {
    this.connections.set(connection.id, connection);
    this.#list = null;
    const { id, name } = connection.principal;
    const member = this.#users.get(id);
    if (member) {
      member.connections++;
      return false;
    }
    this.#users.set(id, { info: { id, name }, connections: 1, joinedAt: connection.joinedAt });
    return true;
  }

  /**
   * Removes a connection.
   *
   * @param connectionId Its id.
   * @returns The removed connection and whether it was the user's last (a presence `leave`);
   * `null` when it was not present.
   */
  remove(connectionId: string): { connection: Connection; last: boolean } | null {
    const connection = this.connections.get(connectionId);
    if (!connection) return null;
    this.connections.delete(connectionId);
    this.#list = null;
    const userId = connection.principal.id;
    const member = this.#users.get(userId)!;
    if (--member.connections > 0) return { connection, last: false };
    this.#users.delete(userId);
    return { connection, last: true };
  }

  /**
   * The open connections as an array, rebuilt only after a join or a leave: the broadcast loop
   * walks it, which is cheaper than iterating the `Map` for every message.
   *
   * @returns The connections; do not modify it, and do not keep it across a join or a leave.
   */
  list(): readonly Connection[] {
    return this.#list ??= [...this.connections.values()];
  }

  /**
   * Members as listed in the welcome.
   *
   * @returns Id and name of every present user.
   */
  infos(): MemberInfo[] {
    return [...this.#users.values()].map((m) => m.info);
  }

  /**
   * Members with their connection counts.
   *
   * @returns Every present user.
   */
  details(): MemberDetail[] {
    return [...this.#users.values()].map((m) => ({
      ...m.info,
      connections: m.connections,
      joined_at: new Date(m.joinedAt).toISOString(),
    }));
  }
}
