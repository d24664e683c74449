/**
 * One room's deliveries on one node of the Redis broker: strictly in id order, each id once,
 * nothing skipped. Every delivery is a step of the room's one promise chain. A message whose id
 * is past the next one (pub/sub dropped some, or the node's own reply overtook the channel) is
 * preceded by the missing ones read from history; one at or below the last delivered is
 * dropped (already delivered from the other path). A message under a new epoch (Redis lost the
 * room's keys) starts the count over and tells the handlers.
 *
 * @module
 */
import type { BrokerHandler, Origin } from "../broker/broker.ts";
import type { Logger } from "../log.ts";
import type { SequenceState, SerializedMessage } from "../store/types.ts";
import { type ParsedEntry, parseEntry } from "./history_entry.ts";

/** Reads up to `limit` history entries of a room after an id, oldest first. */
export type EntrySource = (roomId: string, since: number, limit: number) => Promise<ParsedEntry[]>;

/** Entries read from history per round trip while backfilling. */
const BACKFILL_PAGE = 1000;

/** A room's subscription on one node: its handlers, and where delivery stands. */
export class RoomStream {
  /** Room id. */
  readonly roomId: string;
  /** Told every delivery. */
  readonly handlers = new Set<BrokerHandler>();
  readonly #source: EntrySource;
  readonly #log: Logger;
  /** Epochs this room has left: their late messages are dropped. */
  readonly #retired = new Set<string>();
  #last = 0;
  #epoch = "";
  #chain: Promise<void> = Promise.resolve();

  /**
   * @param roomId Room id.
   * @param source Where missing messages are read from.
   * @param log Where a failed backfill is logged.
   */
  constructor(roomId: string, source: EntrySource, log: Logger) {
    this.roomId = roomId;
    this.#source = source;
    this.#log = log;
  }

  /** The last id delivered. */
  get lastId(): number {
    return this.#last;
  }

  /** The epoch of the deliveries (`""` before the room's stream has one). */
  get epoch(): string {
    return this.#epoch;
  }

  /**
   * Runs a step after every step so far; a step that fails is logged, the chain goes on.
   *
   * @param step The step.
   * @returns Settles with the step.
   */
  run(step: () => void | Promise<void>): Promise<void> {
    const next = this.#chain.then(step);
    this.#chain = next.catch((error) => {
      this.#log.warn("Cannot deliver messages of room {room}: {error}", {
        room: this.roomId,
        error: String(error),
      });
    });
    return next;
  }

  /**
   * Delivery starts after the room's current position (a step: run it through `run`).
   *
   * @param position Where the room's stream stands.
   */
  start(position: SequenceState & { epoch: string | null }): void {
    this.#last = position.last_id;
    this.#epoch = position.epoch ?? "";
  }

  /**
   * Delivers a message in order (as a step), backfilling what is missing before it.
   *
   * @param epoch The epoch it was stored under.
   * @param message The message.
   * @param origin Who published it.
   * @returns Settles once delivered (or dropped).
   */
  receive(epoch: string, message: SerializedMessage, origin: Origin | null): Promise<void> {
    return this.run(async () => {
      if (!this.#adopt(epoch) || message.id <= this.#last) return;
      if (message.id > this.#last + 1) await this.#backfill(message.id);
      this.#hand(message, origin);
    });
  }

  /**
   * Delivers a message as the room's channel carries it (`<epoch>\n<entry>`, see
   * `history_entry.ts`). The node's own publications, delivered from the script's reply, are
   * dropped here from their id alone, before the entry is parsed.
   *
   * @param body The channel message's body.
   * @returns Settles once delivered (or dropped).
   */
  receiveBody(body: string): Promise<void> | undefined {
    const end = body.indexOf("\n");
    const idAt = end + 7; // after `{"id":`
    const id = Number(body.slice(idAt, body.indexOf(",", idAt)));
    if (id <= this.#last && body.startsWith(this.#epoch) && end === this.#epoch.length) return;
    const { message, origin } = parseEntry(this.roomId, body, end + 1);
    return this.receive(body.slice(0, end), message, origin);
  }

  /**
   * Catches up with the room's position after pub/sub may have lost messages (a step): a new
   * epoch starts over, then every message up to `position.last_id` is delivered.
   *
   * @param position Where the room's stream stands now.
   */
  async resync(position: SequenceState & { epoch: string }): Promise<void> {
    if (!this.#adopt(position.epoch)) return;
    await this.#backfill(position.last_id + 1);
  }

  /** Forgets the room's stream (it is being deleted): its epoch's late messages are dropped. */
  forget(): void {
    if (this.#epoch !== "") this.#retired.add(this.#epoch);
    this.#epoch = "";
    this.#last = 0;
  }

  /** Takes up the message's epoch; `false` for an epoch the room has left. */
  #adopt(epoch: string): boolean {
    if (epoch === this.#epoch) return true;
    if (this.#retired.has(epoch)) return false;
    const previous = this.#epoch;
    this.#epoch = epoch;
    if (previous !== "") {
      this.#retired.add(previous);
      this.#last = 0;
    }
    // Also the first epoch this stream sees: its room may have told members another one (the
    // room's record) before Redis lost the room's keys. A room ignores the epoch it already has.
    for (const handler of this.handlers) handler.epoch?.(epoch, this.#last);
    return true;
  }

  /** Delivers the stored messages before `upTo` that were not delivered yet. */
  async #backfill(upTo: number): Promise<void> {
    while (this.#last + 1 < upTo) {
      const limit = Math.min(BACKFILL_PAGE, upTo - 1 - this.#last);
      let entries: ParsedEntry[];
      try {
        entries = await this.#source(this.roomId, this.#last, limit);
      } catch (error) {
        this.#log.warn("Cannot backfill room {room} after id {id}: {error}", {
          room: this.roomId,
          id: this.#last,
          error: String(error),
        });
        return;
      }
      // Trimmed (or lost) before this node read them: nothing more to deliver.
      if (entries.length === 0) return;
      for (const { message, origin } of entries) {
        if (message.id >= upTo) return;
        this.#hand(message, origin);
      }
    }
  }

  #hand(message: SerializedMessage, origin: Origin | null): void {
    this.#last = message.id;
    for (const handler of this.handlers) handler.message(message, origin);
  }
}
