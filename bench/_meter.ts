/**
 * Counting deliveries: the one frame handler shared by every load client. Only messages stamped
 * inside the open window count, so warm-up traffic and stragglers are ignored.
 *
 * @module
 */
import { readStamp } from "./_stamp.ts";
import {
  type LatencyHistogram,
  latencyHistogram,
  type LatencySummary,
  summarizeLatency,
} from "./_stats.ts";

/**
 * Monotonic time in whole microseconds, the unit of stamps.
 *
 * @returns Microseconds since the process started.
 */
export function nowMicros(): number {
  return Math.round(performance.now() * 1000);
}

/** Counts and latencies of stamped deliveries, plus the other frames worth reporting. */
export class DeliveryMeter {
  /** Stamped deliveries inside the window. */
  delivered = 0;
  /** Every stamped delivery, window or not (progress display). */
  seen = 0;
  /** `ack` frames received. */
  acks = 0;
  /** `error` frames received. */
  errors = 0;
  /** The first `error` frame, verbatim. */
  firstError: string | null = null;
  /** roomd welcomes received. */
  welcomes = 0;
  /** When the latest welcome arrived (`performance.now()`). */
  lastWelcomeAt = 0;
  /** Close codes of sockets the server closed, with counts. */
  readonly closes = new Map<number, number>();
  #from = Infinity;
  #to = -Infinity;
  #samples = new Float64Array(0);
  #count = 0;
  #closing = false;
  #members = new Map<EventTarget, number>();
  #perMember = new Uint32Array(0);

  /** The frame handler for every socket. */
  readonly onMessage = (event: MessageEvent): void => {
    const frame = event.data;
    if (typeof frame !== "string") return;
    const stamp = readStamp(frame);
    if (stamp < 0) {
      this.#other(frame);
      return;
    }
    this.seen++;
    if (stamp < this.#from || stamp >= this.#to) return;
    this.delivered++;
    const member = this.#members.get(event.target!);
    if (member !== undefined) this.#perMember[member]++;
    if (this.#count < this.#samples.length) {
      this.#samples[this.#count++] = nowMicros() - stamp;
    }
  };

  /** The close handler for every socket. */
  readonly onClose = (event: CloseEvent): void => {
    if (this.#closing) return;
    this.closes.set(event.code, (this.closes.get(event.code) ?? 0) + 1);
  };

  /**
   * Starts counting messages stamped in `[from, to)`, forgetting the previous window.
   *
   * @param from Window start in microseconds.
   * @param to Window end in microseconds.
   * @param capacity Latency samples to keep (the expected deliveries plus slack).
   */
  openWindow(from: number, to: number, capacity: number): void {
    this.#from = from;
    this.#to = to;
    this.delivered = 0;
    this.#perMember.fill(0);
    this.#count = 0;
    if (this.#samples.length < capacity) this.#samples = new Float64Array(capacity);
  }

  /**
   * Also counts each of these sockets' window deliveries on its own (see `perMember`), so that
   * loss is checked member by member, not only in total.
   *
   * @param sockets The members, in the order `perMember` reports them.
   */
  trackMembers(sockets: readonly WebSocket[]): void {
    this.#members = new Map(sockets.map((socket, i) => [socket, i]));
    this.#perMember = new Uint32Array(sockets.length);
  }

  /**
   * Window deliveries of each tracked socket, in the order given to `trackMembers`.
   *
   * @returns The live counts (not a copy).
   */
  perMember(): Uint32Array {
    return this.#perMember;
  }

  /**
   * Latency percentiles of the current window.
   *
   * @returns The summary in milliseconds.
   */
  latency(): LatencySummary {
    return summarizeLatency(this.#samples, this.#count);
  }

  /**
   * The current window's latencies as a histogram, to add to other load processes'.
   *
   * @returns The histogram.
   */
  latencyHistogram(): LatencyHistogram {
    return latencyHistogram(this.#samples, this.#count);
  }

  /** Stops recording server-initiated closes, before the tool closes its own sockets. */
  closingAll(): void {
    this.#closing = true;
  }

  #other(frame: string): void {
    if (frame.includes('"type":"ack"')) {
      this.acks++;
    } else if (frame.includes('"type":"error"')) {
      this.errors++;
      this.firstError ??= frame.slice(0, 300);
    } else if (frame.startsWith('{"type":"system"') && frame.includes('"event":"welcome"')) {
      this.welcomes++;
      this.lastWelcomeAt = performance.now();
    }
  }
}
