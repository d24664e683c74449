/**
 * The registry of live room actors on this node: creates them on demand and forgets them
 * when they stop.
 *
 * @module
 */
import { Room } from "./room.ts";
import type { RoomContext } from "./room_context.ts";

/**
 * Live rooms by id.
 *
 * @example A room is created on first use and is the same object after
 * ```ts ignore
 * import assert from "assert";
 * const room = registry.open("lobby");
 * assert.ok(registry.open("lobby") === room);
 * ```
 */
export class RoomRegistry {
  readonly #rooms = new Map<string, Room>();
  readonly #ctx: RoomContext;

  /** @param ctx Dependencies shared by every room. */
  constructor(ctx: RoomContext) {
    this.#ctx = ctx;
  }

  /** Number of live room actors. */
  get size(): number {
    return this.#rooms.size;
  }

  /**
   * The live actor for `id`, starting one (which loads the room from the store) if needed.
   * Use the result right away: an idle actor stops after the grace period.
   *
   * @param id Room id.
   * @returns The actor.
   */
  open(id: string): Room {
    let room = this.#rooms.get(id);
    if (!room) {
      room = new Room(id, this.#ctx, (stopped) => {
        if (this.#rooms.get(stopped.id) === stopped) this.#rooms.delete(stopped.id);
      });
      this.#rooms.set(id, room);
    }
    return room;
  }

  /**
   * The live actor for `id`, if any, without starting one.
   *
   * @param id Room id.
   * @returns The actor or `undefined`.
   */
  peek(id: string): Room | undefined {
    return this.#rooms.get(id);
  }

  /**
   * Every live actor.
   *
   * @returns An iterator over the rooms.
   */
  rooms(): IterableIterator<Room> {
    return this.#rooms.values();
  }

  /**
   * Closes every connection of every room with `code`, waits (up to `timeoutMs`) for the
   * sockets to close and the rooms to finish their work, then halts every actor.
   *
   * @param code Close code (1001 at shutdown).
   * @param reason Reason sent to clients.
   * @param timeoutMs Longest wait for the sockets.
   */
  async closeAll(code: number, reason: string, timeoutMs: number): Promise<void> {
    for (const room of this.#rooms.values()) room.closeAll(code, reason);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && [...this.#rooms.values()].some((r) => r.connectionCount > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await Promise.all([...this.#rooms.values()].map((room) => room.idle()));
    for (const room of [...this.#rooms.values()]) room.halt();
  }
}
