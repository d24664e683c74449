/**
 * The broadcast path of a room: serialize the payload once, hand it to the writer once, build
 * the frame once, then send the same string to every recipient without awaiting any socket.
 *
 * @module
 */
import type { Metrics } from "../metrics/metrics.ts";
import {
  encodeMessage,
  type MessageHead,
  messagePrefix,
  type SizedFrame,
  utf8Length,
} from "../protocol/codec.ts";
import type { Envelope } from "../protocol/envelope.ts";
import type { CommitCallback, MessageWriter } from "../store/message_writer.ts";
import type { SerializedMessage } from "../store/types.ts";
import type { Connection } from "../ws/connection.ts";
import { isoTimestamp } from "./iso_timestamp.ts";
import type { Members } from "./members.ts";
import type { RoomSequence } from "./sequence.ts";

const RESOLVED = Promise.resolve();

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
  readonly #members: Pick<Members, "sockets" | "slotOf" | "ledger" | "settle">;
  readonly #writer: MessageWriter;
  readonly #metrics: Metrics;
  /** {@linkcode messagePrefix} by message type (the types are few: declared ones only). */
  readonly #prefixes = new Map<string, SizedFrame>();

  /**
   * @param roomId Room id (in every envelope).
   * @param members The room's live connections.
   * @param writer Group-commit writer for persisted messages.
   * @param metrics Counters.
   */
  constructor(
    roomId: string,
    members: Pick<Members, "sockets" | "slotOf" | "ledger" | "settle">,
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
   * @param onCommitted Told when a persisted message's commit ended (not called otherwise).
   * @returns Id, time and the promise of durability.
   */
  publish(
    type: string,
    userId: string | null,
    data: unknown,
    sequence: RoomSequence | null,
    except: Connection | null,
    onCommitted?: CommitCallback,
  ): PublishReceipt {
    const started = performance.now();
    const timestamp = isoTimestamp(Date.now());
    const dataJson = JSON.stringify(data) ?? "null";
    const roomId = this.#roomId;
    let head: MessageHead;
    let committed = RESOLVED;
    if (sequence) {
      // The stored message is the frame's head as well: one object per message.
      const message: SerializedMessage = {
        type,
        room_id: roomId,
        user_id: userId,
        timestamp,
        id: sequence.take(),
        data_json: dataJson,
      };
      committed = this.#writer.append(message, started, onCommitted);
      head = message;
    } else head = { type, room_id: roomId, user_id: userId, timestamp };
    const frame = encodeMessage(head, dataJson, this.#prefix(type));
    this.fanOut(type, frame, except);
    this.#metrics.observeBroadcast((performance.now() - started) / 1000);
    return { id: head.id, timestamp: head.timestamp, committed };
  }

  /**
   * Sends one frame to every connection but `except`: straight to the sockets (which drop
   * frames once closed), with the size counted once in the room's ledger.
   *
   * @param type Message type (for metrics).
   * @param frame The serialized message, with its size when known.
   * @param except A connection to skip, or `null`.
   */
  fanOut(type: string, frame: string | SizedFrame, except: Connection | null): void {
    const sockets = this.#members.sockets();
    const count = sockets.length;
    const slot = except === null ? -1 : this.#members.slotOf(except);
    const delivered = slot < 0 ? count : count - 1;
    if (delivered === 0) return;
    const { text, bytes } = sized(frame);
    // Two loops around the skipped slot: no test per recipient.
    const end = slot < 0 ? count : slot;
    for (let i = 0; i < end; i++) sockets[i].send(text);
    for (let i = end + 1; i < count; i++) sockets[i].send(text);
    this.#metrics.delivered(type, delivered, bytes);
    const ledger = this.#members.ledger;
    ledger.pending += bytes;
    if (ledger.due) this.#members.settle();
  }

  #prefix(type: string): SizedFrame {
    let prefix = this.#prefixes.get(type);
    if (prefix === undefined) {
      prefix = messagePrefix(type, this.#roomId);
      this.#prefixes.set(type, prefix);
    }
    return prefix;
  }

  /**
   * Sends one frame to one connection.
   *
   * @param connection Recipient.
   * @param type Message type (for metrics).
   * @param frame The serialized message, with its size when known.
   */
  sendTo(connection: Connection, type: string, frame: string | SizedFrame): void {
    const { text, bytes } = sized(frame);
    if (connection.send(text, bytes)) this.#metrics.delivered(type, 1, bytes);
  }
}

function sized(frame: string | SizedFrame): SizedFrame {
  return typeof frame === "string" ? { text: frame, bytes: utf8Length(frame) } : frame;
}
