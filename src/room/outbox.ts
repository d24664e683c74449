/**
 * The broadcast path of a room: build the frame once, then send the same string to every
 * recipient without awaiting any socket. Persisted messages come here only once stored (see
 * `publisher.ts`).
 *
 * @module
 */
import type { EphemeralMessage } from "../broker/broker.ts";
import type { Metrics } from "../metrics/metrics.ts";
import { encodeMessage, messagePrefix, type SizedFrame } from "../protocol/codec.ts";
import { utf8Length } from "../protocol/utf8_length.ts";
import type { Envelope } from "../protocol/envelope.ts";
import type { SerializedMessage } from "../store/types.ts";
import type { Connection } from "../ws/connection.ts";
import { isoTimestamp } from "./iso_timestamp.ts";
import type { Members } from "./members.ts";

/**
 * Sends a room's messages to its connections. Owned by the room actor.
 */
export class Outbox {
  readonly #roomId: string;
  readonly #members: Pick<Members, "sockets" | "slotOf" | "ledger" | "settle">;
  readonly #metrics: Metrics;
  /** {@linkcode messagePrefix} by message type (the types are few: declared ones only). */
  readonly #prefixes = new Map<string, SizedFrame>();

  /**
   * @param roomId Room id (in every envelope).
   * @param members The room's live connections.
   * @param metrics Counters.
   */
  constructor(
    roomId: string,
    members: Pick<Members, "sockets" | "slotOf" | "ledger" | "settle">,
    metrics: Metrics,
  ) {
    this.#roomId = roomId;
    this.#members = members;
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
   * Sends an ephemeral message (no id, not stored) to every connection but `except`.
   *
   * @param message The message, its payload serialized.
   * @param except The sender's connection, or `null`.
   */
  deliverEphemeral(message: EphemeralMessage, except: Connection | null): void {
    const started = performance.now();
    const frame = encodeMessage(message, message.data_json, this.#prefix(message.type));
    this.fanOut(message.type, frame, except);
    this.#metrics.observeBroadcast((performance.now() - started) / 1000);
  }

  /**
   * Sends a stored message (its id set, its payload serialized once for the store and the
   * frame alike) to every connection but `except`.
   *
   * @param message The message as written.
   * @param except The sender's connection, or `null`.
   */
  deliver(message: SerializedMessage, except: Connection | null): void {
    const started = performance.now();
    const frame = encodeMessage(message, message.data_json, this.#prefix(message.type));
    this.fanOut(message.type, frame, except);
    this.#metrics.observeBroadcast((performance.now() - started) / 1000);
  }

  /**
   * Sends one frame to every connection but `except`: straight to the sockets (which drop
   * frames once closed), with the size counted once in the room's ledger (see
   * `ws/send_budget.ts`).
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
    for (let i = 0; i < count; i++) if (i !== slot) sockets[i].send(text);
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

  /**
   * Sends one frame to one connection behind the broadcasts before it: an `ack`, which tells
   * the client that every message with a lower id has reached it. While the connection
   * replays missed messages its broadcasts are held, so the frame waits with them.
   *
   * @param connection Recipient.
   * @param type Message type (for metrics).
   * @param frame The serialized message, with its size when known.
   */
  sendInOrder(connection: Connection, type: string, frame: string | SizedFrame): void {
    const slot = this.#members.slotOf(connection);
    const socket = slot < 0 ? connection.socket : this.#members.sockets()[slot];
    if (socket === connection.socket) return this.sendTo(connection, type, frame);
    const { text, bytes } = sized(frame);
    socket.send(text);
    this.#metrics.delivered(type, 1, bytes);
  }
}

function sized(frame: string | SizedFrame): SizedFrame {
  return typeof frame === "string" ? { text: frame, bytes: utf8Length(frame) } : frame;
}
