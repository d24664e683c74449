/**
 * The in-process Broker engine: the group-commit writer allocates ids as it writes a batch,
 * and each commit result is delivered to the room's subscriptions before its publish
 * resolves. Several {@linkcode LocalBroker} nodes may share one {@linkcode LocalBrokerHub}
 * (the contract suite uses two, as two roomd nodes would share Redis).
 *
 * @module
 */
import { MessageWriter, type MessageWriterOptions } from "../store/message_writer.ts";
import type {
  HistoryPage,
  HistoryQuery,
  NewMessage,
  SerializedMessage,
  Store,
} from "../store/types.ts";
import type {
  Broker,
  BrokerHandler,
  EphemeralMessage,
  PublishResult,
  RoomPosition,
} from "./broker.ts";

interface Subscription {
  node: string;
  handler: BrokerHandler;
}

/**
 * What the nodes of one process share: the store, its group-commit writer and who is
 * subscribed to which room.
 */
export class LocalBrokerHub {
  /** Rooms and history. */
  readonly store: Store;
  /** The group-commit writer. */
  readonly writer: MessageWriter;
  /** Subscriptions by room. */
  readonly subscriptions = new Map<string, Subscription[]>();
  /** Epochs of rooms, read from their records once. */
  readonly epochs = new Map<string, string>();

  /**
   * @param store Where messages are written.
   * @param options Options of the writer (batch size, window, hooks).
   */
  constructor(store: Store, options: MessageWriterOptions = {}) {
    this.store = store;
    this.writer = new MessageWriter(store, options);
  }

  /**
   * The epoch of a room, read from its record once.
   *
   * @param roomId Room id.
   * @returns The epoch, `""` for a room without a record.
   */
  async epoch(roomId: string): Promise<string> {
    const known = this.epochs.get(roomId);
    if (known !== undefined) return known;
    const epoch = (await this.store.getRoom(roomId))?.epoch ?? "";
    if (epoch !== "") this.epochs.set(roomId, epoch);
    return epoch;
  }
}

/**
 * One node's view of a {@linkcode LocalBrokerHub}.
 *
 * @example Publish, get the id and the delivery
 * ```ts
 * import assert from "assert";
 * import { LocalBroker, LocalBrokerHub } from "./local_broker.ts";
 * import { MemoryStore } from "../store/memory.ts";
 *
 * const broker = new LocalBroker(new LocalBrokerHub(new MemoryStore()), "node-a");
 * const seen: number[] = [];
 * await broker.subscribe("lobby", { message: (m) => seen.push(m.id), ephemeral: () => {} });
 * const timestamp = new Date().toISOString();
 * const result = await broker.publish(
 *   { type: "chat", room_id: "lobby", user_id: "ana", data_json: "{}", timestamp },
 *   1,
 * );
 * assert.ok(result.status === "stored" && result.id === 1);
 * assert.deepEqual(seen, [1]);
 * await broker.close();
 * ```
 */
export class LocalBroker implements Broker {
  /** This node's id. */
  readonly nodeId: string;
  readonly #hub: LocalBrokerHub;

  /**
   * @param hub What the nodes share.
   * @param nodeId This node's id.
   */
  constructor(hub: LocalBrokerHub, nodeId: string = crypto.randomUUID()) {
    this.#hub = hub;
    this.nodeId = nodeId;
  }

  /** Why writes fail right now, or `null`. */
  get failure(): Error | null {
    return this.#hub.writer.failure;
  }

  /** {@inheritDoc Broker.subscribe} */
  subscribe(roomId: string, handler: BrokerHandler): Promise<void> {
    const list = this.#hub.subscriptions.get(roomId) ?? [];
    list.push({ node: this.nodeId, handler });
    this.#hub.subscriptions.set(roomId, list);
    return Promise.resolve();
  }

  /** {@inheritDoc Broker.unsubscribe} */
  unsubscribe(roomId: string, handler: BrokerHandler): Promise<void> {
    const list = this.#hub.subscriptions.get(roomId);
    const left = list?.filter((s) => s.handler !== handler) ?? [];
    if (left.length > 0) this.#hub.subscriptions.set(roomId, left);
    else this.#hub.subscriptions.delete(roomId);
    return Promise.resolve();
  }

  /** {@inheritDoc Broker.publish} */
  publish(message: NewMessage, tag: number): Promise<PublishResult> {
    const hub = this.#hub;
    const origin = { node: this.nodeId, tag };
    return new Promise((resolve, reject) => {
      hub.writer.append(message, (error, result) => {
        if (error !== undefined || result === undefined) return reject(error);
        if (result.status !== "stored") return resolve(result);
        const delivered: SerializedMessage = {
          id: result.id,
          type: message.type,
          room_id: message.room_id,
          user_id: message.user_id,
          timestamp: message.timestamp,
          data_json: message.data_json,
        };
        const subscriptions = hub.subscriptions.get(message.room_id);
        if (subscriptions) { for (const s of subscriptions) s.handler.message(delivered, origin); }
        const stored = (epoch: string): PublishResult => ({
          status: "stored",
          id: result.id,
          epoch,
          timestamp: message.timestamp,
        });
        // The epoch is known once the room has been loaded: then the result is at hand.
        const known = hub.epochs.get(message.room_id);
        resolve(known !== undefined ? stored(known) : hub.epoch(message.room_id).then(stored));
      }, performance.now());
    });
  }

  /** {@inheritDoc Broker.publishEphemeral} */
  publishEphemeral(message: EphemeralMessage): void {
    const subscriptions = this.#hub.subscriptions.get(message.room_id);
    if (subscriptions === undefined) return;
    for (const s of subscriptions) if (s.node !== this.nodeId) s.handler.ephemeral(message);
  }

  /** {@inheritDoc Broker.history} */
  history(roomId: string, query: HistoryQuery): Promise<HistoryPage> {
    return this.#hub.store.readMessages(roomId, query);
  }

  /** {@inheritDoc Broker.position} */
  async position(roomId: string): Promise<RoomPosition> {
    this.#hub.epochs.delete(roomId);
    const [sequence, epoch] = await Promise.all([
      this.#hub.store.getSequence(roomId),
      this.#hub.epoch(roomId),
    ]);
    return { ...sequence, epoch };
  }

  /** {@inheritDoc Broker.forget} */
  async forget(roomId: string): Promise<void> {
    await this.#hub.writer.flush();
    this.#hub.epochs.delete(roomId);
  }

  /** {@inheritDoc Broker.flush} */
  flush(): Promise<void> {
    return this.#hub.writer.flush();
  }

  /** {@inheritDoc Broker.close} */
  close(): Promise<void> {
    return this.#hub.writer.close();
  }
}
