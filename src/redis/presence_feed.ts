/**
 * The presence diffs of the Redis engine's rooms, as one node receives them on the room
 * channel (kind `p`). A diff names the node that made it; that node's watchers skip it (they
 * were told by their own actor), unless it is meant for every node: the leave of a reaped
 * entry of a dead node, or the join of an entry put back.
 *
 * @module
 */
import type { MemberInfo } from "../protocol/envelope.ts";
import type { PresenceDiff, PresenceListener } from "../presence/presence.ts";
import type { BusListener, RoomBus } from "./room_bus.ts";

/** How long {@linkcode PresenceFeed.unwatch} waits for diffs already published, at most. */
const FLUSH_TIMEOUT_MS = 1000;

interface Room {
  listeners: Set<PresenceListener>;
  onBody: BusListener;
}

/**
 * Watchers of presence diffs, by room, over one node's {@linkcode RoomBus}.
 *
 * @example
 * ```ts ignore
 * const feed = new PresenceFeed(bus, "node-a");
 * await feed.watch("lobby", (diff) => console.log(diff.action, diff.user.id));
 * ```
 */
export class PresenceFeed {
  readonly #bus: RoomBus;
  readonly #nodeId: string;
  readonly #rooms = new Map<string, Room>();
  /** Flush markers this node published and waits for, by token. */
  readonly #flushes = new Map<string, () => void>();

  /**
   * @param bus The node's room channels.
   * @param nodeId This node's id.
   */
  constructor(bus: RoomBus, nodeId: string) {
    this.#bus = bus;
    this.#nodeId = nodeId;
  }

  /**
   * Starts telling `listener` of the room's diffs; resolves once the room's channel is
   * subscribed.
   *
   * @param roomId Room id.
   * @param listener Told each diff.
   */
  watch(roomId: string, listener: PresenceListener): Promise<void> {
    const room = this.#rooms.get(roomId);
    if (room !== undefined) {
      room.listeners.add(listener);
      return Promise.resolve();
    }
    const listeners = new Set([listener]);
    const onBody = (body: string) => this.#hand(listeners, body);
    this.#rooms.set(roomId, { listeners, onBody });
    return this.#bus.listen(roomId, "p", onBody);
  }

  /**
   * Stops telling `listener`, once the diffs published before the call have reached it: a
   * marker goes round the room's channel first (given up after a second, or at once when
   * Redis is away).
   *
   * @param roomId Room id.
   * @param listener The listener given to {@linkcode PresenceFeed.watch}.
   */
  async unwatch(roomId: string, listener: PresenceListener): Promise<void> {
    const room = this.#rooms.get(roomId);
    if (room === undefined || !room.listeners.has(listener)) return;
    await this.#flush(roomId);
    room.listeners.delete(listener);
    if (room.listeners.size > 0 || this.#rooms.get(roomId) !== room) return;
    this.#rooms.delete(roomId);
    await this.#bus.unlisten(roomId, "p", room.onBody);
  }

  async #flush(roomId: string): Promise<void> {
    const token = crypto.randomUUID();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arrived = new Promise<void>((resolve) => {
      this.#flushes.set(token, resolve);
      timer = setTimeout(resolve, FLUSH_TIMEOUT_MS);
    });
    try {
      await this.#bus.publish(roomId, "p", JSON.stringify({ f: token }));
      await arrived;
    } catch {
      // Redis is away: nothing more will arrive anyway.
    } finally {
      clearTimeout(timer);
      this.#flushes.delete(token);
    }
  }

  #hand(listeners: Set<PresenceListener>, body: string): void {
    let message: unknown;
    try {
      message = JSON.parse(body);
    } catch {
      return;
    }
    if (typeof message !== "object" || message === null) return;
    const { n, a, u, r, f } = message as Record<string, unknown>;
    if (typeof f === "string") {
      this.#flushes.get(f)?.();
      return;
    }
    if (n === this.#nodeId && r !== true) return;
    if ((a !== "join" && a !== "leave") || !isMember(u)) return;
    const diff: PresenceDiff = { action: a, user: u };
    for (const listener of [...listeners]) listener(diff);
  }
}

function isMember(value: unknown): value is MemberInfo {
  if (typeof value !== "object" || value === null) return false;
  const { id, name } = value as Record<string, unknown>;
  return typeof id === "string" && typeof name === "string";
}
