/**
 * A room's message ids: strictly increasing, never reused, even after `kill -9`. Ids are
 * reserved durably in blocks; after a crash the room resumes past the reserved block.
 *
 * @module
 */
import type { MessageStore } from "../store/types.ts";

/** Ids reserved durably at a time. */
const SEQUENCE_BLOCK = 1000;

/**
 * The id counter of one room. Owned by the room actor.
 */
export class RoomSequence {
  /** The newest id handed out (0 when none). */
  lastId: number;
  #next: number;
  #reserved: number;

  /**
   * @param lastId Newest stored id.
   * @param reserved Highest id reserved so far.
   */
  constructor(lastId: number, reserved: number) {
    this.lastId = lastId;
    this.#reserved = reserved;
    this.#next = Math.max(reserved, lastId) + 1;
  }

  /**
   * Reads a room's sequence from the store.
   *
   * @param store Message store.
   * @param roomId Room.
   * @returns The sequence, positioned after every id that may have been used.
   */
  static async load(store: MessageStore, roomId: string): Promise<RoomSequence> {
    const [state, newest] = await Promise.all([
      store.getSequence(roomId),
      store.readMessages(roomId, { limit: 1 }),
    ]);
    return new RoomSequence(newest.messages.at(-1)?.id ?? 0, state.reserved);
  }

  /** Whether the next id must be reserved before it is used. */
  get exhausted(): boolean {
    return this.#next > this.#reserved;
  }

  /**
   * Durably reserves the next block of ids.
   *
   * @param store Message store.
   * @param roomId Room.
   */
  async reserve(store: MessageStore, roomId: string): Promise<void> {
    const reserved = this.#next - 1 + SEQUENCE_BLOCK;
    await store.reserveSequence(roomId, reserved);
    this.#reserved = reserved;
  }

  /**
   * Hands out the next id (call only when not {@linkcode RoomSequence.exhausted}).
   *
   * @returns The id.
   */
  take(): number {
    this.lastId = this.#next++;
    return this.lastId;
  }
}
