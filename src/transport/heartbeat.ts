/**
 * Idle detection for the `ws` transport with `Deno.upgradeWebSocket`'s rule: a socket silent
 * for half the idle timeout gets a ping, and one still silent at the full timeout is closed
 * with 1001 "No response from ping frame.". One sweep timer serves every socket (a timer per
 * socket would cost memory on every idle connection); it runs every quarter of the timeout, so
 * a silent socket is pinged after ¼–½ of the timeout and closed after ¾–1 of it.
 *
 * @module
 */

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

  /** One sweep: pings sockets silent for two sweeps, expires those silent for four. */
  sweep(): void {
    for (const watched of this.#watched) {
      const silent = ++watched.silent;
      if (silent === 2) watched.ping();
      else if (silent >= 4) {
        this.#watched.delete(watched);
        watched.expire();
      }
    }
  }

  /** Stops sweeping. */
  close(): void {
    clearInterval(this.#timer);
  }
}
