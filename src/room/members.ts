/**
 * Who is present in a room: users, each with one or more connections. A user with several
 * connections is one member.
 *
 * @module
 */
import type { MemberInfo } from "../protocol/envelope.ts";
import { BroadcastLedger } from "../ws/send_budget.ts";
import type { Connection } from "../ws/connection.ts";
import type { Socket } from "../ws/socket.ts";
import { JoinOrder } from "./join_order.ts";

/** A present member, as the members API lists it. */
export interface MemberDetail extends MemberInfo {
  /** Open connections of the user in the room. */
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

interface Member {
  info: MemberInfo;
  connections: number;
  joinedAt: number;
  /** Position in {@linkcode JoinOrder}. */
  number: number;
}

/**
 * Connections and members of one room. Owned by the room actor; not shared.
 */
export class Members {
  /** Open connections by id. */
  readonly connections = new Map<string, Connection>();
  /** Slow-consumer accounting of the room's broadcasts (see {@linkcode Connection}). */
  readonly ledger = new BroadcastLedger();
  readonly #users = new Map<string, Member>();
  readonly #order = new JoinOrder<Member>();
  /** The connections, and at the same index their sockets: what a broadcast walks. */
  readonly #list: Connection[] = [];
  readonly #sockets: Socket[] = [];
  readonly #slots = new Map<string, number>();

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
    this.#slots.set(connection.id, this.#list.length);
    this.#list.push(connection);
    this.#sockets.push(connection.socket);
    connection.useLedger(this.ledger);
    const { id, name } = connection.principal;
    const member = this.#users.get(id);
    if (member) {
      member.connections++;
      return false;
    }
    const joined: Member = {
      info: { id, name },
      connections: 1,
      joinedAt: connection.joinedAt,
      number: 0,
    };
    joined.number = this.#order.add(joined);
    this.#users.set(id, joined);
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
    this.#vacate(connectionId);
    const userId = connection.principal.id;
    const member = this.#users.get(userId)!;
    if (--member.connections > 0) return { connection, last: false };
    this.#users.delete(userId);
    this.#order.remove(member.number);
    return { connection, last: true };
  }

  /**
   * The open connections; a join or a leave changes the array (and may reorder it).
   *
   * @returns The connections, at the same index as their {@linkcode Members.sockets}.
   */
  list(): readonly Connection[] {
    return this.#list;
  }

  /**
   * The sockets of the open connections, which a broadcast writes to directly.
   *
   * @returns The sockets; a join or a leave changes the array (and may reorder it).
   */
  sockets(): readonly Socket[] {
    return this.#sockets;
  }

  /**
   * Where a connection is in {@linkcode Members.list} and {@linkcode Members.sockets}.
   *
   * @param connection A connection.
   * @returns Its index, or -1 when it is not present.
   */
  slotOf(connection: Connection): number {
    return this.#slots.get(connection.id) ?? -1;
  }

  /**
   * Makes the room's broadcasts to `connection` go to `socket`: a stand-in that holds them
   * while the connection replays missed messages, then its own socket again (which then reads
   * its backlog afresh, see {@linkcode Connection.useLedger}).
   *
   * @param connection A present connection (nothing happens when it has left).
   * @param socket Where its broadcasts go from now on.
   */
  useSocket(connection: Connection, socket: Socket): void {
    const slot = this.#slots.get(connection.id);
    if (slot === undefined) return;
    this.#sockets[slot] = socket;
    if (socket === connection.socket) connection.useLedger(this.ledger);
  }

  /** Adds what the ledger holds to every connection's count (see {@linkcode Connection}). */
  settle(): void {
    const pending = this.ledger.takePending();
    for (const connection of this.#list) connection.settle(pending);
  }

  /** Removes a connection from the arrays by moving the last one into its slot. */
  #vacate(connectionId: string): void {
    const slot = this.#slots.get(connectionId)!;
    this.#slots.delete(connectionId);
    const last = this.#list.pop()!;
    const lastSocket = this.#sockets.pop()!;
    if (slot === this.#list.length) return;
    this.#list[slot] = last;
    this.#sockets[slot] = lastSocket;
    this.#slots.set(last.id, slot);
  }

  /**
   * A page of members as the welcome and the `members` request list them, in join order (see
   * {@linkcode JoinOrder} for what a cursor guarantees).
   *
   * @param cursor From a previous page; `undefined` starts with the first member.
   * @param limit Most members on the page.
   * @returns Id and name of each, or `null` when the cursor is not valid here.
   */
  infos(cursor: string | undefined, limit: number): MemberPage<MemberInfo> | null {
    const page = this.#order.page(cursor, limit);
    if (page === null) return null;
    const members = page.items.map((m) => m.info);
    return { members, count: this.userCount, cursor: page.cursor };
  }

  /**
   * A page of members with their connection counts, as the members API lists them.
   *
   * @param cursor From a previous page; `undefined` starts with the first member.
   * @param limit Most members on the page.
   * @returns The page, or `null` when the cursor is not valid here.
   */
  details(cursor: string | undefined, limit: number): MemberPage<MemberDetail> | null {
    const page = this.#order.page(cursor, limit);
    if (page === null) return null;
    const members = page.items.map((m) => ({
      ...m.info,
      connections: m.connections,
      joined_at: new Date(m.joinedAt).toISOString(),
    }));
    return { members, count: this.userCount, cursor: page.cursor };
  }
}
