/**
 * The shapes `Metrics` reads and reports: a room's live figures, its options, and the JSON of
 * `GET /api/stats` with its windowed rates.
 *
 * @module
 */
import type { RateWindow } from "./rate_window.ts";
import type { RoomRate } from "./room_rates.ts";

const MINUTE_MS = 60_000;
/** The longest window rates are reported over. */
export const FIVE_MINUTES_MS = 5 * MINUTE_MS;

/** Live figures of one room, read from the room source at scrape time. */
export interface RoomSample {
  /** The room id. */
  id: string;
  /** Distinct members (users) in the room. */
  members: number;
  /** Open connections joined to the room. */
  connections: number;
  /** Messages waiting in the room's mailbox. */
  mailboxDepth: number;
}

/** Options for {@linkcode Metrics}. */
export interface MetricsOptions {
  /** Export process metrics (memory, CPU, open fds, start time); default true. */
  collectProcess?: boolean;
  /** Monotonic clock in milliseconds for rates and uptime; default `performance.now()`. */
  now?: () => number;
}

/** Rates over the last minute and the last five minutes, per second. */
export interface WindowRates {
  /** Over the last minute. */
  "1m": number;
  /** Over the last five minutes. */
  "5m": number;
}

/** The JSON body of `GET /api/stats`. Rates are rounded to 3 decimals. */
export interface Stats {
  /** Open connections. */
  connections: number;
  /** Rooms reported by the room source. */
  rooms: number;
  /** Messages received since start. */
  messages_received: number;
  /** Message deliveries (one per recipient) since start. */
  messages_delivered: number;
  /** Errors since start. */
  errors: number;
  /** Messages refused by rate limiting since start. */
  rate_limited: number;
  /** Connections closed for being too slow since start. */
  slow_consumer_disconnects: number;
  /** Received messages and errors per second. */
  rates: { messages_per_s: WindowRates; errors_per_s: WindowRates };
  /** Up to 10 rooms with the highest message rate over the last minute, highest first. */
  busiest_rooms: RoomRate[];
  /** Seconds since this `Metrics` was created. */
  uptime_s: number;
  /** Process memory. */
  memory: { rss_bytes: number; heap_used_bytes: number };
}

/**
 * A rate window's rates over the last minute and the last five minutes, rounded to 3 decimals.
 *
 * @param window Events counted over time.
 * @param now The monotonic time in milliseconds.
 * @returns The two rates, per second.
 */
export function windowRates(window: RateWindow, now: number): WindowRates {
  return {
    "1m": round3(window.rate(now, MINUTE_MS)),
    "5m": round3(window.rate(now, FIVE_MINUTES_MS)),
  };
}

/**
 * Rounds to 3 decimals, as every rate and duration of the stats.
 *
 * @param value Any number.
 * @returns It rounded.
 */
export function round3(value: number): number {
  return Math.round(value * 1_000) / 1_000;
}
