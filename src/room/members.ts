/**
 * The connections of a room on this node, and the sockets a broadcast walks. Who is in the
 * room across nodes (rosters, paging, capacity) is the Presence seam's (`presence/`); this
 * counts only this node's users, for metrics.
 *
 * @module
 */
import { BroadcastLedger } from "../ws/send_budget.ts";
import type { Connection } from "../ws/connection.ts";
import type { Socket } from "../ws/socket.ts";

/**
 * Connections and members of one room on this node. Owned by the room actor; not shared.
 */
export class Members {
  /** Slow-consumer accounting of the room's broadcasts (see {@linkcode Connection}). */
  readonly ledger = new BroadcastLedger();
  /** The connections, and at the same index their sockets: what a broadcast walks. */
  readonly #list: Connection[] = [];
  readonly #sockets: Socket[] = [];
  /** Where each connection is in the arrays, by connection id. */
  readonly #slots = new Map<string, number>();

  /** Number of open connections. */
  get size(): number {
    return this.#list.length;
  }

  /**
   * A present connection.
   *
   * @param connectionId Its id.
   * @returns The connection, or `undefined` when it is not present.
   */
  get(connectionId: string): Connection | undefined {
    const slot = this.#slots.get(connectionId);
    return slot === undefined ? undefined : this.#list[slot];
  }

  /**
   * Number of distinct users with a connection on this node, counted when asked: only the
   * metrics read it, once per scrape, and a table kept for it cost every connection a slot.
   */
  get userCount(): number {
    const users = new Set<string>();
    for (const connection of this.#list) users.add(connection.principal.id);
    return users.size;
  }

  /**
   * Adds a connection.
   *
   * @param connection The new connection.
   */
  add(connection: Connection): void {
    this.#slots.set(connection.id, this.#list.length);
    this.#list.push(connection);
    this.#sockets.push(connection.socket);
    connection.useLedger(this.ledger);
  }

  /**
   * Removes a connection.
   *
   * @param connectionId Its id.
   * @returns The removed connection, or `null` when it was not present.
   */
  remove(connectionId: string): Connection | null {
    const connection = this.get(connectionId);
    if (!connection) return null;
    this.#vacate(connectionId);
    return connection;
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
}
