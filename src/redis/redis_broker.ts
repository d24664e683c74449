/**
 * The Redis {@linkcode Broker}: a persisted message is one run of the publish script (id,
 * history, dedupe key, `SPUBLISH` in one step, see `publish_lua.ts`); every node subscribed to
 * the room receives it on the room's channel and delivers it in id order through the room's
 * {@linkcode RoomStream}. The publishing node does not wait for the channel: it delivers from
 * the script's reply before `publish()` resolves (after any earlier ids, read from history
 * when they have not arrived yet) and drops the channel's copy. After the pub/sub connection
 * comes back, every subscribed room catches up from history, and a room whose keys Redis lost
 * gets one fresh epoch that every node agrees on. Nothing is queued while Redis is away.
 *
 * @module
 */
import type {
  Broker,
  BrokerHandler,
  EphemeralMessage,
  PublishResult,
  RoomPosition,
} from "../broker/broker.ts";
import { type Logger, rootLogger } from "../log.ts";
import type { HistoryPage, HistoryQuery, NewMessage } from "../store/types.ts";
import { reconnectDelay, type RedisLink } from "./redis_link.ts";
import type { RedisStore } from "./redis_store.ts";
import type { RoomBus } from "./room_bus.ts";
import { RoomStream } from "./room_stream.ts";

/** A subscribed room: its stream and its channel listeners. */
interface Subscription {
  stream: RoomStream;
  /** Settles once the channel is subscribed and the position read. */
  ready: Promise<void>;
  onMessage: (body: string) => void;
  onEphemeral: (body: string) => void;
}

/**
 * One node's broker over Redis.
 *
 * @example
 * ```ts ignore
 * const broker = new RedisBroker(link, bus, store, crypto.randomUUID(), log);
 * await broker.subscribe("lobby", { message: (m) => console.log(m.id), ephemeral: () => {} });
 * ```
 */
export class RedisBroker implements Broker {
  /** This node's id. */
  readonly nodeId: string;
  readonly #link: RedisLink;
  readonly #bus: RoomBus;
  readonly #store: RedisStore;
  readonly #log: Logger;
  readonly #rooms = new Map<string, Subscription>();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #stopListening: () => void;
  /** Catch-ups waiting to be retried. */
  readonly #retries = new Set<ReturnType<typeof setTimeout>>();
  /** What an ephemeral body of this node starts with. */
  readonly #ownPrefix: string;
  #closed = false;

  /**
   * @param link The node's Redis.
   * @param bus The room channels.
   * @param store The Redis store, whose publish script the broker runs.
   * @param nodeId This node's id (no line breaks).
   * @param log Where lost deliveries are logged (default: the `roomd.broker` logger).
   */
  constructor(
    link: RedisLink,
    bus: RoomBus,
    store: RedisStore,
    nodeId: string,
    log?: Logger,
  ) {
    this.#link = link;
    this.#bus = bus;
    this.#store = store;
    this.nodeId = nodeId;
    this.#ownPrefix = `${nodeId}\n`;
    this.#log = log ?? rootLogger().getChild("broker");
    this.#stopListening = link.onReconnect(() => this.#resyncAll());
  }

  /** Why writes fail right now (Redis is away), or `null`. */
  get failure(): Error | null {
    return this.#link.failure;
  }

  /** {@inheritDoc Broker.subscribe} */
  async subscribe(roomId: string, handler: BrokerHandler): Promise<void> {
    const known = this.#rooms.get(roomId);
    if (known !== undefined) {
      known.stream.handlers.add(handler);
      return known.ready;
    }
    const stream = new RoomStream(
      roomId,
      (room, since, limit) => this.#store.history.entriesAfter(room, since, limit),
      this.#log,
    );
    stream.handlers.add(handler);
    const subscription: Subscription = {
      stream,
      ready: Promise.resolve(),
      onMessage: (body) => void stream.receiveBody(body),
      onEphemeral: (body) => {
        if (body.startsWith(this.#ownPrefix)) return;
        const message = JSON.parse(body.slice(body.indexOf("\n") + 1)) as EphemeralMessage;
        for (const h of stream.handlers) h.ephemeral(message);
      },
    };
    this.#rooms.set(roomId, subscription);
    const listening = Promise.all([
      this.#bus.listen(roomId, "m", subscription.onMessage),
      this.#bus.listen(roomId, "e", subscription.onEphemeral),
    ]);
    subscription.ready = stream.run(async () => {
      await listening;
      stream.start(await this.#store.history.position(roomId));
    });
    try {
      await subscription.ready;
    } catch (error) {
      if (this.#rooms.get(roomId) === subscription) await this.#drop(roomId, subscription);
      throw error;
    }
  }

  /** {@inheritDoc Broker.unsubscribe} */
  async unsubscribe(roomId: string, handler: BrokerHandler): Promise<void> {
    const subscription = this.#rooms.get(roomId);
    if (subscription === undefined || !subscription.stream.handlers.delete(handler)) return;
    if (subscription.stream.handlers.size === 0) await this.#drop(roomId, subscription);
  }

  /** {@inheritDoc Broker.publish} */
  publish(message: NewMessage, tag: number): Promise<PublishResult> {
    const failure = this.#closed ? new Error("the broker is closed") : this.#link.failure;
    if (failure !== null) {
      return Promise.reject(
        new Error(`Cannot publish to room "${message.room_id}": ${failure.message}`),
      );
    }
    const published = this.#publish(message, tag);
    this.#inFlight.add(published);
    const done = () => this.#inFlight.delete(published);
    published.then(done, done);
    return published;
  }

  /** {@inheritDoc Broker.publishEphemeral} */
  publishEphemeral(message: EphemeralMessage): void {
    if (this.#link.failure !== null) return;
    this.#bus.publish(message.room_id, "e", this.#ownPrefix + JSON.stringify(message)).catch(
      (error) => this.#log.debug("Cannot publish an ephemeral message: {error}", { error }),
    );
  }

  /** {@inheritDoc Broker.history} */
  history(roomId: string, query: HistoryQuery): Promise<HistoryPage> {
    return this.#store.readMessages(roomId, query);
  }

  /** {@inheritDoc Broker.position} */
  async position(roomId: string): Promise<RoomPosition> {
    const position = await this.#store.history.position(roomId);
    const epoch = position.epoch ?? (await this.#store.getRoom(roomId))?.epoch ?? "";
    return { last_id: position.last_id, trimmed: position.trimmed, epoch };
  }

  /** {@inheritDoc Broker.forget} */
  async forget(roomId: string): Promise<void> {
    await this.flush();
    const stream = this.#rooms.get(roomId)?.stream;
    if (stream !== undefined) await stream.run(() => stream.forget());
  }

  /**
   * Resolves once every publish so far has been stored and delivered here (or failed). Other
   * nodes' publications arrive when the channel carries them.
   */
  async flush(): Promise<void> {
    await Promise.allSettled(this.#inFlight);
  }

  /** {@inheritDoc Broker.close} */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopListening();
    for (const timer of this.#retries) clearTimeout(timer);
    await this.flush();
    await Promise.allSettled([...this.#rooms].map(([id, s]) => this.#drop(id, s)));
  }

  async #publish(message: NewMessage, tag: number): Promise<PublishResult> {
    const origin = { node: this.nodeId, tag };
    const reply = await this.#store.publish(message, origin);
    if (reply.status === "conflict") return { status: "conflict" };
    const timestamp = new Date(reply.ts).toISOString();
    if (reply.status === "duplicate") return { status: "duplicate", id: reply.id, timestamp };
    const stream = this.#rooms.get(message.room_id)?.stream;
    if (stream !== undefined) {
      const { type, room_id, user_id, data_json } = message;
      const delivered = { id: reply.id, type, room_id, user_id, timestamp, data_json };
      await stream.receive(reply.epoch, delivered, origin);
    }
    return { status: "stored", id: reply.id, epoch: reply.epoch, timestamp };
  }

  /** After pub/sub came back: every room catches up (and agrees on an epoch). */
  #resyncAll(): void {
    for (const { stream } of this.#rooms.values()) this.#resync(stream, 0);
  }

  /** Catches a room up, retrying (with backoff) while Redis does not answer commands yet. */
  #resync(stream: RoomStream, attempt: number): void {
    void stream.run(async () => {
      if (this.#closed || this.#rooms.get(stream.roomId)?.stream !== stream) return;
      try {
        await stream.resync(await this.#store.history.ensureEpoch(stream.roomId));
      } catch (error) {
        this.#log.debug("Cannot catch up room {room} yet: {error}", {
          room: stream.roomId,
          error: String(error),
        });
        const timer = setTimeout(() => {
          this.#retries.delete(timer);
          this.#resync(stream, attempt + 1);
        }, reconnectDelay(attempt) + 50);
        this.#retries.add(timer);
      }
    });
  }

  async #drop(roomId: string, subscription: Subscription): Promise<void> {
    if (this.#rooms.get(roomId) === subscription) this.#rooms.delete(roomId);
    await Promise.allSettled([
      this.#bus.unlisten(roomId, "m", subscription.onMessage),
      this.#bus.unlisten(roomId, "e", subscription.onEphemeral),
    ]);
  }
}
