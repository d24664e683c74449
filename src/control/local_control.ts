/**
 * The in-process Room control engine: a direct call to the listeners of the other nodes that
 * share the hub (one node in production; two in the tests of several nodes).
 *
 * @module
 */
import type { RoomChange, RoomChangeListener, RoomControl } from "./room_control.ts";

/** Listeners of every node of one process, by room. */
export class LocalControlHub {
  /** Watchers by room id. */
  readonly watchers = new Map<string, { node: string; listener: RoomChangeListener }[]>();
}

/**
 * One node's view of a {@linkcode LocalControlHub}.
 *
 * @example A change made on node a reaches node b
 * ```ts
 * import assert from "assert";
 * import { LocalControl, LocalControlHub } from "./local_control.ts";
 *
 * const hub = new LocalControlHub();
 * const [a, b] = [new LocalControl(hub, "a"), new LocalControl(hub, "b")];
 * const seen: unknown[] = [];
 * await a.watch("lobby", (change) => seen.push(["a", change]));
 * await b.watch("lobby", (change) => seen.push(["b", change]));
 * await a.announce("lobby", null);
 * assert.deepEqual(seen, [["b", null]]);
 * ```
 */
export class LocalControl implements RoomControl {
  /** This node's id. */
  readonly nodeId: string;
  readonly #hub: LocalControlHub;

  /**
   * @param hub What the nodes share.
   * @param nodeId This node's id.
   */
  constructor(hub: LocalControlHub, nodeId: string) {
    this.#hub = hub;
    this.nodeId = nodeId;
  }

  /** {@inheritDoc RoomControl.watch} */
  watch(roomId: string, listener: RoomChangeListener): Promise<void> {
    const list = this.#hub.watchers.get(roomId) ?? [];
    list.push({ node: this.nodeId, listener });
    this.#hub.watchers.set(roomId, list);
    return Promise.resolve();
  }

  /** {@inheritDoc RoomControl.unwatch} */
  unwatch(roomId: string, listener: RoomChangeListener): Promise<void> {
    const left = (this.#hub.watchers.get(roomId) ?? []).filter((w) => w.listener !== listener);
    if (left.length > 0) this.#hub.watchers.set(roomId, left);
    else this.#hub.watchers.delete(roomId);
    return Promise.resolve();
  }

  /** {@inheritDoc RoomControl.announce} */
  announce(roomId: string, change: RoomChange): Promise<void> {
    for (const w of this.#hub.watchers.get(roomId) ?? []) {
      if (w.node !== this.nodeId) w.listener(change);
    }
    return Promise.resolve();
  }
}
