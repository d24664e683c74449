/**
 * A room's publish path with delivery after the write: a persisted message goes to the
 * {@linkcode Broker} without an id; once stored it comes back through the room's subscription
 * (a mailbox task that delivers it to everyone but its sender), and then its result (another
 * task that acks it). So nothing that was not stored reaches anyone, ids are consecutive, and
 * delivery order is id order, whichever node published.
 *
 * @module
 */
import type { EphemeralMessage, Origin, PublishResult } from "../broker/broker.ts";
import { encodeAck, encodeError } from "../protocol/codec.ts";
import type { ErrorData } from "../protocol/envelope.ts";
import {
  type DedupeKey,
  dedupeKeyOf,
  type NewMessage,
  type SerializedMessage,
} from "../store/types.ts";
import type { Connection } from "../ws/connection.ts";
import { isoTimestamp } from "./iso_timestamp.ts";
import type { Outbox } from "./outbox.ts";
import type { RoomContext } from "./room_context.ts";

/** What became of a publish. */
export type PublishOutcome =
  | {
    ok: true;
    /** Message id (persisted types only). */
    id?: number;
    /** Server time of the message. */
    timestamp: string;
    /** A dedupe key matched: nothing was published, these are the original's id and time. */
    replayed: boolean;
  }
  | {
    ok: false;
    /** `unavailable`: the write failed; `conflict`: the key was used for another request. */
    reason: "unavailable" | "conflict";
  };

/** A publish in progress. */
export interface PublishReceipt {
  /** Settles once the message is stored and delivered (at once for ephemeral types). */
  outcome: Promise<PublishOutcome>;
}

/** How the publisher reaches its actor. */
export interface PublisherHost {
  /** Runs a task in the room's mailbox; `false` when the actor has stopped. */
  post(task: () => void): boolean;
  /** Told when the last write in flight has been answered. */
  settled(): void;
}

/** A publish of this node waiting for its outcome. */
interface Waiting {
  /** The sender's connection (gets no copy), or `null`. */
  except: Connection | null;
  /** Told the outcome, inside the actor. */
  done: (outcome: PublishOutcome) => void;
}

/**
 * Publishes a room's messages. Owned by the room actor; the host runs commit results as tasks.
 */
export class Publisher {
  /** The newest id delivered (or stored, when the room was loaded). */
  lastId = 0;
  /** Writes not answered yet. */
  pending = 0;
  readonly #roomId: string;
  readonly #ctx: RoomContext;
  readonly #outbox: Outbox;
  readonly #host: PublisherHost;
  /** This room's publishes in progress, by tag. */
  readonly #waiting = new Map<number, Waiting>();
  #tag = 0;

  /**
   * @param roomId Room id.
   * @param ctx Writer, metrics, config.
   * @param outbox The room's fan-out.
   * @param host The actor's mailbox.
   */
  constructor(roomId: string, ctx: RoomContext, outbox: Outbox, host: PublisherHost) {
    this.#roomId = roomId;
    this.#ctx = ctx;
    this.#outbox = outbox;
    this.#host = host;
  }

  /** Reads the newest id written from the broker. */
  async load(): Promise<void> {
    this.lastId = (await this.#ctx.broker.position(this.#roomId)).last_id;
  }

  /**
   * The dedupe key of a client message id, valid for `ROOMD_DEDUPE_WINDOW_S`.
   *
   * @param userId Sender.
   * @param cid The client's message id.
   * @returns The key.
   */
  clientKey(userId: string, cid: string): DedupeKey {
    return {
      key: dedupeKeyOf("cid", userId, cid),
      fingerprint: "",
      expires_at: Date.now() + this.#ctx.config.dedupeWindowS * 1000,
    };
  }

  /**
   * Publishes a message: ephemeral ones go out at once; persisted ones once stored.
   *
   * @param type Message type.
   * @param userId Sender, or `null` for the server.
   * @param data Validated payload.
   * @param persist Whether it gets an id and enters history.
   * @param except The sender's connection (gets no copy), or `null`.
   * @param dedupe Publish only once per key (persisted types only).
   * @param done Told the outcome, inside the actor.
   */
  publish(
    type: string,
    userId: string | null,
    data: unknown,
    persist: boolean,
    except: Connection | null,
    dedupe: DedupeKey | undefined,
    done: (outcome: PublishOutcome) => void,
  ): void {
    const message: EphemeralMessage = {
      type,
      room_id: this.#roomId,
      user_id: userId,
      timestamp: isoTimestamp(Date.now()),
      data_json: JSON.stringify(data) ?? "null",
    };
    const { broker } = this.#ctx;
    if (!persist) {
      this.#outbox.deliverEphemeral(message, except);
      broker.publishEphemeral(message);
      return done({ ok: true, timestamp: message.timestamp, replayed: false });
    }
    const tag = ++this.#tag;
    this.#waiting.set(tag, { except, done });
    this.pending++;
    const answer = (result: PublishResult | undefined, error?: unknown) => {
      // Usually answered already, by its own delivery: then no task is needed.
      if (!this.#waiting.has(tag)) return;
      const task = () => this.#answered(tag, result, error);
      if (!this.#host.post(task)) task();
    };
    const stored: NewMessage = dedupe === undefined ? message : { ...message, dedupe };
    broker.publish(stored, tag).then(
      (result) => answer(result),
      (error) => answer(undefined, error),
    );
  }

  /**
   * Delivers a stored message of the room (a task of the actor): to everyone but its sender
   * when this node published it, and then answers that publish (the message is stored, and
   * its ack follows its delivery in the same task, as one).
   *
   * @param message The message, with its id.
   * @param origin Who published it.
   */
  delivered(message: SerializedMessage, origin: Origin | null): void {
    const tag = origin?.node === this.#ctx.broker.nodeId ? origin.tag : undefined;
    const mine = tag === undefined ? undefined : this.#waiting.get(tag);
    if (message.id > this.lastId) this.lastId = message.id;
    this.#outbox.deliver(message, mine?.except ?? null);
    if (tag === undefined || mine === undefined) return;
    const { id, timestamp } = message;
    this.#settle(tag, mine, { ok: true, id, timestamp, replayed: false });
  }

  /**
   * Delivers an ephemeral message another node published (a task of the actor).
   *
   * @param message The message.
   */
  deliveredEphemeral(message: EphemeralMessage): void {
    this.#outbox.deliverEphemeral(message, null);
  }

  /**
   * Answers a client's publish: `ack` with the id (the original's for a repeated `cid`), or
   * `error` `unavailable` when it could not be stored.
   *
   * @param from Sender.
   * @param ref The client's reference.
   * @returns The `done` of {@linkcode Publisher.publish}.
   */
  replyTo(from: Connection, ref: string | undefined): (outcome: PublishOutcome) => void {
    return (outcome) => {
      if (outcome.ok) {
        this.#outbox.sendInOrder(from, "ack", encodeAck(ref, outcome.id, outcome.timestamp));
        return;
      }
      this.#ctx.metrics.error("unavailable");
      const failure: ErrorData = {
        code: "unavailable",
        message: "Cannot store message: storage is unavailable; resend it with the same cid",
      };
      this.#outbox.sendTo(from, "error", encodeError(failure, ref));
    };
  }

  #answered(tag: number, result: PublishResult | undefined, error: unknown): void {
    const waiting = this.#waiting.get(tag);
    if (waiting === undefined) return;
    if (result === undefined) {
      this.#ctx.log.debug("Cannot store a message of room {room}: {error}", {
        room: this.#roomId,
        error: String(error),
      });
      this.#settle(tag, waiting, { ok: false, reason: "unavailable" });
    } else if (result.status === "conflict") {
      this.#settle(tag, waiting, { ok: false, reason: "conflict" });
    } else {
      const replayed = result.status === "duplicate";
      const { id, timestamp } = result;
      this.#settle(tag, waiting, { ok: true, id, timestamp, replayed });
    }
  }

  #settle(tag: number, waiting: Waiting, outcome: PublishOutcome): void {
    this.#waiting.delete(tag);
    this.pending--;
    waiting.done(outcome);
    if (this.pending === 0) this.#host.settled();
  }
}
