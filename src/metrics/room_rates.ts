/**
 * Per-room message rates over the last minute, with memory bounded by the rooms that were
 * active in that minute.
 *
 * @module
 */
import { RateWindow } from "./rate_window.ts";

/** One room's message rate, as reported by `GET /api/stats`. */
export interface RoomRate {
  /** The room id. */
  id: string;
  /** Messages received per second over the last minute. */
  messages_per_s: number;
}

/** Options for {@linkcode RoomRates}. */
export interface RoomRatesOptions {
  /** Length of the window in milliseconds (default 60 000). */
  windowMs?: number;
  /** Width of one slot in milliseconds (default 5 000); `windowMs` must be a multiple. */
  slotMs?: number;
}

/**
 * Keeps a small {@linkcode RateWindow} per room (12 slots of 5 s by default, so the last minute
 * is measured to within 5 s). Rooms with no message in a whole window are dropped, checked at
 * most once per slot, so rooms that go away cost nothing after a minute.
 *
 * @example The busiest room first
 * ```ts
 * import assert from "assert";
 * import { RoomRates } from "./room_rates.ts";
 * const rates = new RoomRates(0);
 * for (let i = 0; i < 30; i++) rates.record("lobby", i * 1_000);
 * rates.record("quiet", 10_000);
 * assert.ok(rates.top(10, 30_000)[0].id === "lobby");
 * ```
 */
export class RoomRates {
  readonly #startMs: number;
  readonly #windowMs: number;
  readonly #slotMs: number;
  readonly #rooms = new Map<string, RateWindow>();
  #nextPruneMs: number;

  /**
   * Creates an empty set of room rates.
   *
   * @param startMs When counting started (rates are never averaged over time before it).
   * @param options Window and slot lengths.
   * @throws {RangeError} When `windowMs` is not a positive multiple of `slotMs`.
   */
  constructor(startMs: number, options: RoomRatesOptions = {}) {
    const { windowMs = 60_000, slotMs = 5_000 } = options;
    if (!(slotMs > 0) || !(windowMs > 0) || windowMs % slotMs !== 0) {
      throw new RangeError(
        `Cannot create room rates: windowMs (${windowMs}) must be a positive multiple of slotMs (${slotMs})`,
      );
    }
    this.#startMs = startMs;
    this.#windowMs = windowMs;
    this.#slotMs = slotMs;
    this.#nextPruneMs = startMs + slotMs;
  }

  /** Number of rooms currently tracked. */
  get size(): number {
    return this.#rooms.size;
  }

  /**
   * Counts one message in a room.
   *
   * @param roomId The room.
   * @param nowMs Current time in milliseconds.
   */
  record(roomId: string, nowMs: number): void {
    let window = this.#rooms.get(roomId);
    if (window === undefined) {
      window = new RateWindow(this.#windowMs / this.#slotMs, this.#slotMs, this.#startMs);
      this.#rooms.set(roomId, window);
    }
    window.add(nowMs);
    if (nowMs >= this.#nextPruneMs) this.prune(nowMs);
  }

  /**
   * Drops the rooms that had no message in the last window.
   *
   * @param nowMs Current time in milliseconds.
   */
  prune(nowMs: number): void {
    const cutoff = nowMs - this.#windowMs;
    for (const [id, window] of this.#rooms) {
      if (window.lastEventMs <= cutoff) this.#rooms.delete(id);
    }
    this.#nextPruneMs = nowMs + this.#slotMs;
  }

  /**
   * The rooms with the highest message rate over the last window, highest first (ties by id).
   * Prunes idle rooms first.
   *
   * @param limit Maximum number of rooms to return.
   * @param nowMs Current time in milliseconds.
   * @returns Up to `limit` rooms with a rate above zero.
   */
  top(limit: number, nowMs: number): RoomRate[] {
    this.prune(nowMs);
    const rates: RoomRate[] = [];
    for (const [id, window] of this.#rooms) {
      const rate = window.rate(nowMs, this.#windowMs);
      if (rate > 0) rates.push({ id, messages_per_s: rate });
    }
    rates.sort((a, b) =>
      b.messages_per_s - a.messages_per_s || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
    );
    return rates.slice(0, limit);
  }
}
