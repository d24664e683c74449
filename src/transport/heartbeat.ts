/**
 * Idle detection for the `ws` transport with `Deno.upgradeWebSocket`'s rule: a socket silent
 * for half the idle timeout gets a ping, and one still silent at the full timeout is closed
 * with 1001 "No response from ping frame.". One sweep timer serves every socket (a timer per
 * socket would cost memory on every idle connection); it runs every quarter of the timeout, so
 * a silent socket is pinged after ¼–½ of the timeout and closed after ¾–1 of it. A sweep walks
 * {@linkcode SWEEP_SLICE} sockets per task: 19,000 idle sockets pinged in one task held the
 * event loop for hundreds of milliseconds, which every chat message then waited out.
 *
 * @module
 */

/** Sockets a sweep visits before it lets other tasks run. */
export const SWEEP_SLICE = 256;

/** One watched socket. */
export interface Watched {
  /** Sweeps since the socket was last heard from (reset by any frame). */
  silent: number;
  /** Sends a ping. */
  ping(): void;
  /** Closes the socket for not answering. */
  expire(): void;
  /** Ends the socket at once (the transport is shutting down). */
  end(): void;
}

/**
 * A sweep over the sockets of one idle timeout.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { Heartbeat } from "./heartbeat.ts";
 * const heartbeat = new Heartbeat(0);
 * const events: string[] = [];
 * const watched = {
 *   silent: 0,
 *   ping: () => events.push("ping"),
 *   expire: () => events.push("expire"),
 *   end: () => events.push("end"),
 * };
 * heartbeat.add(watched);
 * for (let i = 0; i < 4; i++) heartbeat.sweep();
 * assert.deepEqual(events, ["ping", "expire"]);
 * heartbeat.close();
 * ```
 */
export class Heartbeat {
  readonly #watched = new Set<Watched>();
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  /** The sweep under way, if it has slices left. */
  #sweeping: IterableIterator<Watched> | undefined;
  #next: ReturnType<typeof setTimeout> | undefined;

  /** @param idleTimeoutS The idle timeout in seconds (0: no sweep, sockets are only tracked). */
  constructor(idleTimeoutS: number) {
    if (idleTimeoutS > 0) {
      this.#timer = setInterval(() => this.sweep(), idleTimeoutS * 250);
      Deno.unrefTimer(this.#timer);
    }
  }

  /** @param watched A socket to watch from now on. */
  add(watched: Watched): void {
    this.#watched.add(watched);
  }

  /** @param watched A socket that closed. */
  delete(watched: Watched): void {
    this.#watched.delete(watched);
  }

  /** Every watched socket. */
  sockets(): IterableIterator<Watched> {
    return this.#watched.values();
  }

  /**
   * One sweep: pings sockets silent for two sweeps, expires those silent for four. Visits the
   * first {@linkcode SWEEP_SLICE} sockets now and the rest in later tasks; a sweep that starts
   * while the last one still has slices left finishes that one first.
   */
  sweep(): void {
    if (this.#sweeping !== undefined) this.#slice(Infinity);
    this.#sweeping = this.#watched.values();
    this.#slice(SWEEP_SLICE);
  }

  /** Stops sweeping. */
  close(): void {
    clearInterval(this.#timer);
    clearTimeout(this.#next);
    this.#sweeping = undefined;
  }

  #slice(limit: number): void {
    clearTimeout(this.#next);
    const sockets = this.#sweeping!;
    let visited = 0;
    for (let next = sockets.next(); !next.done; next = sockets.next()) {
      const watched = next.value;
      const silent = ++watched.silent;
      if (silent === 2) watched.ping();
      else if (silent >= 4) {
        this.#watched.delete(watched);
        watched.expire();
      }
      if (++visited === limit) {
        this.#next = setTimeout(() => this.#slice(SWEEP_SLICE), 0);
        Deno.unrefTimer(this.#next);
        return;
      }
    }
    this.#sweeping = undefined;
  }
}
