/**
 * The room channel of the Redis engine: one sharded pub/sub channel per room, shared by the
 * Broker (persisted and ephemeral messages), Presence (diffs) and Room control (changes). A
 * node subscribes a room's channel once, while any of them listens, and hands each message to
 * the listeners of its kind. A message is its kind's letter followed by its body.
 *
 * @module
 */
import type { RedisKeys } from "./keys.ts";
import type { RedisLink } from "./redis_link.ts";

/**
 * What a bus message carries: `m` a stored message (published by the publish script), `e` an
 * ephemeral message, `p` a presence diff, `c` a room change.
 */
export type BusKind = "m" | "e" | "p" | "c";

/** Told the body of each message of its kind; it must not throw. */
export type BusListener = (body: string) => void;

/**
 * One node's subscriptions to room channels.
 *
 * @example
 * ```ts ignore
 * const bus = new RoomBus(link, new RedisKeys("roomd:"));
 * await bus.listen("lobby", "c", (body) => console.log(body));
 * await bus.publish("lobby", "c", "{}");
 * ```
 */
export class RoomBus {
  readonly #link: RedisLink;
  readonly #keys: RedisKeys;
  readonly #rooms = new Map<string, Map<BusKind, Set<BusListener>>>();
  /** Subscriptions (and unsubscriptions) of a room in progress, so they run in order. */
  readonly #changes = new Map<string, Promise<void>>();

  /**
   * @param link The node's Redis.
   * @param keys Key and channel names.
   */
  constructor(link: RedisLink, keys: RedisKeys) {
    this.#link = link;
    this.#keys = keys;
  }

  /** Rooms whose channel this node listens to. */
  get rooms(): Iterable<string> {
    return this.#rooms.keys();
  }

  /**
   * Starts handing the room's messages of one kind to `listener`; subscribes the room's channel
   * when it is the room's first listener. Resolves once subscribed.
   *
   * @param roomId Room id.
   * @param kind Which messages.
   * @param listener Told each body.
   */
  listen(roomId: string, kind: BusKind, listener: BusListener): Promise<void> {
    let kinds = this.#rooms.get(roomId);
    const first = kinds === undefined;
    if (kinds === undefined) this.#rooms.set(roomId, kinds = new Map());
    const listeners = kinds.get(kind) ?? new Set();
    listeners.add(listener);
    kinds.set(kind, listeners);
    if (!first) return this.#changes.get(roomId) ?? Promise.resolve();
    const channel = this.#keys.channel(roomId);
    return this.#change(roomId, () => this.#link.sSubscribe(channel, (m) => this.#hand(roomId, m)));
  }

  /**
   * Stops handing messages to `listener`; unsubscribes the channel after the room's last one.
   *
   * @param roomId Room id.
   * @param kind The kind it listened to.
   * @param listener The listener given to {@linkcode RoomBus.listen}.
   */
  unlisten(roomId: string, kind: BusKind, listener: BusListener): Promise<void> {
    const kinds = this.#rooms.get(roomId);
    const listeners = kinds?.get(kind);
    if (kinds === undefined || listeners === undefined || !listeners.delete(listener)) {
      return Promise.resolve();
    }
    if (listeners.size === 0) kinds.delete(kind);
    if (kinds.size > 0) return Promise.resolve();
    this.#rooms.delete(roomId);
    const channel = this.#keys.channel(roomId);
    return this.#change(roomId, async () => {
      // The room may have been listened to again while this waited its turn.
      if (!this.#rooms.has(roomId)) await this.#link.sUnsubscribe(channel);
    });
  }

  /**
   * Publishes a message of one kind on the room's channel, to every node that listens
   * (including this one, whose listeners skip what they sent by its node id).
   *
   * @param roomId Room id.
   * @param kind The kind.
   * @param body The body.
   */
  publish(roomId: string, kind: BusKind, body: string): Promise<void> {
    return this.#link.sPublish(this.#keys.channel(roomId), kind + body);
  }

  #change(roomId: string, step: () => Promise<void>): Promise<void> {
    const previous = this.#changes.get(roomId) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(step);
    this.#changes.set(roomId, next);
    const forget = () => {
      if (this.#changes.get(roomId) === next) this.#changes.delete(roomId);
    };
    next.then(forget, forget);
    return next;
  }

  #hand(roomId: string, message: string): void {
    const listeners = this.#rooms.get(roomId)?.get(message[0] as BusKind);
    if (listeners === undefined) return;
    const body = message.slice(1);
    for (const listener of listeners) listener(body);
  }
}
