/**
 * The broadcast path of a room: build the envelope once, serialize it once, hand it to the
 * writer once, then send the same string to every recipient without awaiting any socket.
 *
 * @module
 */
import type { Metrics } from "../metrics/metrics.ts";
import { encodeEnvelope, utf8Length } from "../protocol/codec.ts";
import type { Envelope } from "../protocol/envelope.ts";
import type { MessageWriter } from "../store/message_writer.ts";
import type { Connection } from "../ws/connection.ts";
import { isoTimestamp } from "./iso_timestamp.ts";
import type { Members } from "./members.ts";
import type { RoomSequence } from "./sequence.ts";

/** The outcome of a broadcast. */
export interface PublishReceipt {
  /** Message id (persisted types only). */
  id?: number;
  /** Server time of the message. */
  timestamp: string;
  /** Settles when the message is durable (at once for ephemeral types). */
  committed: Promise<void>;
}

/**
 * Sends a room's messages to its connections. Owned by the room actor.
 */
export class Outbox {
  readonly #roomId: string;
  readonly #members: Pick<Members, "list">;
  readonly #writer: MessageWriter;
  readonly #metrics: Metrics;

  /**
   * @param roomId Room id (in every envelope).
   * @param members The room's live connections.
   * @param writer Group-commit writer for persisted messages.
   * @param metrics Counters.
   */
  constructor(
    roomId: string,
    members: Pick<Members, "list">,
    writer: MessageWriter,
    metrics: Metrics,
  ) {
    this.#roomId = roomId;
    this.#members = members;
    this.#writer = writer;
    this.#metrics = metrics;
  }

  /**
   * A new envelope stamped with the server time.
   *
   * @param type Message type.
   * @param userId Sender, or `null` for the server.
   * @param data Payload.
   * @returns The envelope.
   */
  envelope(type: string, userId: string | null, data: unknown): Envelope {
    return {
      type,
      room_id: this.#roomId,
      user_id: userId,
      data,
      timestamp: isoTimestamp(Date.now()),
    };
  }

  /**
   * Publishes a message to every connection but `except`; persisted messages take the next id
   * from `sequence` (which must not be exhausted) and go to the writer.
   *
   * @param type Message type.
   * @param userId Sender, or `null`.
   * @param data Validated payload.
   * @param sequence The room's ids, or `null` for an ephemeral message.
   * @param except The sender's connection, which gets an `ack` instead.
   * @returns Id, time and the promise of durability.
   */
  publish(
    type: string,
    userId: string | null,
    data: unknown,
    sequence: RoomSequence | null,
    except: Connection | null,
  ): PublishReceipt {
    const started = performance.now();
    const envelope = this.envelope(type, userId, data);
    let committed = Promise.resolve();
    if (sequence) envelope.id = sequence.take();
    const frame = encodeEnvelope(envelope);
    if (sequence) {
      committed = this.#writer.append(envelope as Envelope & { id: number });
      committed.then(
        () => this.#metrics.observeStoreWrite((performance.now() - started) / 1000),
        () => {},
      );
    }
    this.fanOut(type, frame, except);
    this.#metrics.observeBroadcast((performance.now() - started) / 1000);
    return { id: envelope.id, timestamp: envelope.timestamp, committed };
  }

  /**
   * Sends one frame to every connection but `except`.
   *
   * @param type Message type (for metrics).
   * @param frame The serialized message.
   * @param except A connection to skip, or `null`.
   */
  fanOut(type: string, frame: string, except: Connection | null): void {
    const bytes = utf8Length(frame);
    let delivered = 0;
    const connections = this.#members.list();
    for (let i = 0; i < connections.length; i++) {
      const connection = connections[i];
      if (connection !== except && connection.send(frame, bytes)) delivered++;
    }
    if (delivered > 0) this.#metrics.delivered(type, delivered, bytes);
  }

  /**
   * Sends one frame to one connection.
   *
   * @param connection Recipient.
   * @param type Message type (for metrics).
   * @param frame The serialized message.
   */
  sendTo(connection: Connection, type: string, frame: string): void {
    const bytes = utf8Length(frame);
    if (connection.send(frame, bytes)) this.#metrics.delivered(type, 1, bytes);
  }
}
