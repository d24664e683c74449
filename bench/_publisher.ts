/**
 * Publishing on a schedule: one timer drives every publisher; each sends as many messages as
 * its rate says are due since it started, so a late tick catches up instead of losing sends.
 *
 * @module
 */
import { chatFrame, padding } from "./_stamp.ts";
import { nowMicros } from "./_meter.ts";

const TICK_MS = 5;

/** Sends stamped chat messages from a set of sockets at a per-socket rate. */
export class Publisher {
  /** Messages sent since construction. */
  sent = 0;
  /** Messages sent whose stamp fell in the counting window. */
  sentInWindow = 0;
  /** The same, per publishing socket (in the order given to the constructor). */
  readonly sentInWindowBy: Uint32Array;
  readonly #sockets: readonly WebSocket[];
  readonly #pad: string;
  readonly #done: Float64Array;
  #rate = 0;
  #start = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #from = Infinity;
  #to = -Infinity;

  /**
   * @param sockets The publishing sockets.
   * @param size Chat text size in bytes.
   */
  constructor(sockets: readonly WebSocket[], size: number) {
    this.#sockets = sockets;
    this.#pad = padding(size);
    this.#done = new Float64Array(sockets.length);
    this.sentInWindowBy = new Uint32Array(sockets.length);
  }

  /**
   * Starts (or restarts at a new rate) publishing. Publishers are spread evenly over one period
   * so they do not all send at the same instant.
   *
   * @param rate Messages per second per socket.
   */
  start(rate: number): void {
    this.stop();
    this.#rate = rate;
    this.#start = nowMicros();
    this.#done.fill(0);
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
    this.#tick();
  }

  /** Stops publishing. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Counts sends stamped in `[from, to)` from now on, from zero.
   *
   * @param from Window start in microseconds.
   * @param to Window end in microseconds.
   */
  openWindow(from: number, to: number): void {
    this.#from = from;
    this.#to = to;
    this.sentInWindow = 0;
    this.sentInWindowBy.fill(0);
  }

  #tick(): void {
    const elapsedS = (nowMicros() - this.#start) / 1e6;
    const n = this.#sockets.length;
    for (let i = 0; i < n; i++) {
      const due = Math.floor(elapsedS * this.#rate + i / n) + 1;
      const socket = this.#sockets[i];
      while (this.#done[i] < due) {
        this.#done[i]++;
        if (socket.readyState !== WebSocket.OPEN) continue;
        const stamp = nowMicros();
        socket.send(chatFrame(stamp, this.#pad, String(this.sent++)));
        if (stamp >= this.#from && stamp < this.#to) {
          this.sentInWindow++;
          this.sentInWindowBy[i]++;
        }
      }
    }
  }
}
