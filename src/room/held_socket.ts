/**
 * A stand-in for a resuming connection's socket in its room's broadcast list: live frames wait
 * here while the connection's missed messages are replayed, then follow them in order.
 *
 * @module
 */
import type { Socket } from "../ws/socket.ts";
import { OPEN } from "../ws/socket.ts";

/**
 * Holds the frames a room broadcasts to a connection that is still replaying, up to a size
 * (counted in UTF-16 units, a lower bound of the UTF-8 bytes: the broadcast path pays no
 * encoding for it). Past the size it drops further frames and calls `onOverflow` once: the
 * connection could not keep up and must be cut off.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { HeldSocket } from "./held_socket.ts";
 * let overflowed = false;
 * const held = new HeldSocket(5, () => overflowed = true);
 * held.send("abc");
 * assert.deepEqual(held.take(), ["abc"]);
 * held.send("abcdef");
 * assert.equal(overflowed, true);
 * ```
 */
export class HeldSocket implements Socket {
  /** Always open: the real socket's state is the connection's business. */
  readonly readyState = OPEN;
  /** Nothing reaches the network from here. */
  readonly bufferedAmount = 0;
  #frames: string[] = [];
  #size = 0;
  #overflowed = false;
  readonly #limit: number;
  readonly #onOverflow: () => void;

  /**
   * @param limit Most UTF-16 units held at once.
   * @param onOverflow Called once when a frame would take the held frames past `limit`.
   */
  constructor(limit: number, onOverflow: () => void) {
    this.#limit = limit;
    this.#onOverflow = onOverflow;
  }

  /**
   * Holds a frame (drops it once overflowed).
   *
   * @param data The frame.
   */
  send(data: string): void {
    if (this.#overflowed) return;
    this.#size += data.length;
    if (this.#size > this.#limit) {
      this.#overflowed = true;
      this.#frames = [];
      this.#onOverflow();
      return;
    }
    this.#frames.push(data);
  }

  /** Does nothing: the connection closes its real socket. */
  close(): void {}

  /** Whether frames are waiting. */
  get pending(): boolean {
    return this.#frames.length > 0;
  }

  /**
   * Takes the frames held so far, oldest first.
   *
   * @returns The frames; the socket is empty afterwards.
   */
  take(): string[] {
    const frames = this.#frames;
    this.#frames = [];
    this.#size = 0;
    return frames;
  }
}
