/**
 * The Broker seam: how a room's messages get their ids, enter history and reach every node
 * that hosts the room. The in-process engine ({@linkcode LocalBroker}) is today's single node;
 * an engine shared by several nodes (Redis) implements the same interface and passes the same
 * contract suite (tests/broker/_contract.ts). Modelled on centrifuge's `Broker`: publish
 * returns a stream position, deliveries come back through the node's subscription.
 *
 * @module
 */
import type {
  HistoryPage,
  HistoryQuery,
  NewMessage,
  SequenceState,
  SerializedMessage,
} from "../store/types.ts";

/** Where a persisted message stands in its room's stream. */
export interface StreamPosition {
  /** The message's id: the room's previous last id + 1. */
  id: number;
  /** The room's history generation; resume is only possible within one epoch. */
  epoch: string;
}

/**
 * What became of a publish: `stored` with its position and time; `duplicate` when its dedupe
 * key was already used with the same fingerprint (nothing published; the original's id and
 * time); `conflict` when the key was used with another fingerprint (nothing published).
 */
export type PublishResult =
  | ({ status: "stored"; timestamp: string } & StreamPosition)
  | { status: "duplicate"; id: number; timestamp: string }
  | { status: "conflict" };

/** Who published a delivery: the node, and a tag that node chose for the publish. */
export interface Origin {
  /** The publishing node's id. */
  node: string;
  /** The publisher's tag for this publish (see {@linkcode Broker.publish}). */
  tag: number;
}

/** A message that is delivered but never stored and has no id (presence, `persist: false`). */
export type EphemeralMessage = Omit<SerializedMessage, "id">;

/** What a node's subscription to a room is told. */
export interface BrokerHandler {
  /**
   * A persisted message of the room, in id order, including the node's own publications (so
   * that id order holds across nodes). `origin` lets the publishing node leave out the sender.
   */
  message(message: SerializedMessage, origin: Origin | null): void;
  /** An ephemeral message published by another node (a node delivers its own at once). */
  ephemeral(message: EphemeralMessage): void;
  /**
   * The room's history started over under a new epoch (a shared engine lost the room's keys):
   * ids continue after `lastId` (0) in `epoch`, and resuming from the old epoch is impossible.
   * A shared engine also tells the first epoch a subscription learns, which may be the one the
   * room already has (the handler then ignores it). Engines whose epoch never changes (the
   * in-process one) never call it.
   */
  epoch?(epoch: string, lastId: number): void;
}

/** Where a room's stream stands. */
export interface RoomPosition extends SequenceState {
  /** The room's epoch (`""` when the room does not exist). */
  epoch: string;
}

/**
 * Publishing, fan-out between nodes, and history of rooms. One instance per node.
 *
 * Guarantees every engine keeps (the contract suite checks them):
 * - ids of a room are consecutive and delivered to every subscribed node in id order, also
 *   when several publishers (on several nodes) publish at once;
 * - a persisted message is delivered only once it is stored, and a node's own publication is
 *   delivered to its subscription *before* its publish resolves (so the sender can be left
 *   out of the delivery and then acked);
 * - ephemeral messages reach every other subscribed node, never back the publishing node.
 */
export interface Broker {
  /** This node's id (random per process for a shared engine). */
  readonly nodeId: string;
  /** Why writes fail right now, or `null` while they succeed. */
  readonly failure: Error | null;
  /**
   * Starts delivering the room's messages to `handler` (a room actor starting on this node).
   *
   * @param roomId Room id.
   * @param handler Told each delivery; it must not throw.
   */
  subscribe(roomId: string, handler: BrokerHandler): Promise<void>;
  /**
   * Stops delivering to `handler` (the room actor stopped).
   *
   * @param roomId Room id.
   * @param handler The handler given to {@linkcode Broker.subscribe}.
   */
  unsubscribe(roomId: string, handler: BrokerHandler): Promise<void>;
  /**
   * Allocates the message's id, appends it to history and delivers it, in one step.
   *
   * @param message The message (without id); its dedupe key is stored in the same step.
   * @param tag The publisher's tag, delivered back in the {@linkcode Origin}.
   * @returns The result; rejects when the message could not be stored (nothing published).
   */
  publish(message: NewMessage, tag: number): Promise<PublishResult>;
  /**
   * Delivers an ephemeral message to the other nodes that host its room.
   *
   * @param message The message.
   */
  publishEphemeral(message: EphemeralMessage): void;
  /**
   * Reads a room's history, including every publish that has resolved.
   *
   * @param roomId Room id.
   * @param query Which messages.
   * @returns The page.
   */
  history(roomId: string, query: HistoryQuery): Promise<HistoryPage>;
  /**
   * Where the room's stream stands: last id, trimmed id and epoch.
   *
   * @param roomId Room id.
   * @returns The position.
   */
  position(roomId: string): Promise<RoomPosition>;
  /**
   * Settles the room's publishes in progress and forgets what is cached of its stream; called
   * before the room (and its history) is deleted.
   *
   * @param roomId Room id.
   */
  forget(roomId: string): Promise<void>;
  /** Resolves once every publish so far has been stored (or failed). */
  flush(): Promise<void>;
  /** Settles what is in progress and stops. */
  close(): Promise<void>;
}
