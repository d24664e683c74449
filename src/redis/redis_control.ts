/**
 * The Redis engine of the Room control seam: a change is published on the room's channel
 * (kind `c`) with the announcing node's id, and every other node that hosts the room hands it
 * to its actor. The announcing node skips its own: it has applied the change already.
 *
 * @module
 */
import type { RoomChange, RoomChangeListener, RoomControl } from "../control/room_control.ts";
import type { BusListener, RoomBus } from "./room_bus.ts";

/**
 * One node's room control over Redis.
 *
 * @example
 * ```ts ignore
 * const control = new RedisControl(bus, nodeId);
 * await control.watch("lobby", (change) => console.log(change?.is_private));
 * await control.announce("lobby", null); // tells the other nodes the room was deleted
 * ```
 */
export class RedisControl implements RoomControl {
  /** This node's id. */
  readonly nodeId: string;
  readonly #bus: RoomBus;
  /** The bus listener of each watcher, by room. */
  readonly #watchers = new Map<string, Map<RoomChangeListener, BusListener>>();

  /**
   * @param bus The node's room channels.
   * @param nodeId This node's id.
   */
  constructor(bus: RoomBus, nodeId: string) {
    this.#bus = bus;
    this.nodeId = nodeId;
  }

  /** {@inheritDoc RoomControl.watch} */
  watch(roomId: string, listener: RoomChangeListener): Promise<void> {
    let watchers = this.#watchers.get(roomId);
    if (watchers === undefined) this.#watchers.set(roomId, watchers = new Map());
    if (watchers.has(listener)) return Promise.resolve();
    const onBody = (body: string) => {
      const change = this.#decode(body);
      if (change !== undefined) listener(change);
    };
    watchers.set(listener, onBody);
    return this.#bus.listen(roomId, "c", onBody);
  }

  /** {@inheritDoc RoomControl.unwatch} */
  unwatch(roomId: string, listener: RoomChangeListener): Promise<void> {
    const watchers = this.#watchers.get(roomId);
    const onBody = watchers?.get(listener);
    if (watchers === undefined || onBody === undefined) return Promise.resolve();
    watchers.delete(listener);
    if (watchers.size === 0) this.#watchers.delete(roomId);
    return this.#bus.unlisten(roomId, "c", onBody);
  }

  /** {@inheritDoc RoomControl.announce} */
  announce(roomId: string, change: RoomChange): Promise<void> {
    return this.#bus.publish(roomId, "c", JSON.stringify({ n: this.nodeId, c: change }));
  }

  /** The change in a body from another node; `undefined` for this node's own or a bad body. */
  #decode(body: string): RoomChange | undefined {
    try {
      const { n, c } = JSON.parse(body);
      if (n === this.nodeId || typeof c !== "object") return undefined;
      return c;
    } catch {
      return undefined;
    }
  }
}
