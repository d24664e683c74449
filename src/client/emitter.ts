/**
 * A small typed event emitter (no dependency on Node's or the DOM's).
 *
 * @module
 */

/** A listener of one event. */
export type Listener<T> = (value: T) => void;

/**
 * Calls listeners by event name. A listener that throws does not stop the others: the error is
 * reported with `reportError` where the runtime has it (browsers, Deno), else rethrown later.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { Emitter } from "./emitter.ts";
 * const events = new Emitter<{ ping: number }>();
 * const seen: number[] = [];
 * const off = events.on("ping", (n) => seen.push(n));
 * events.emit("ping", 1);
 * off();
 * events.emit("ping", 2);
 * assert.deepEqual(seen, [1]);
 * ```
 */
export class Emitter<Events extends object> {
  readonly #listeners = new Map<PropertyKey, Set<Listener<never>>>();

  /**
   * Adds a listener.
   *
   * @param event Event name.
   * @param listener Called with each value.
   * @returns A function that removes the listener.
   */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, set = new Set());
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  /**
   * Removes a listener.
   *
   * @param event Event name.
   * @param listener The listener given to `on`.
   */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.#listeners.get(event)?.delete(listener as Listener<never>);
  }

  /**
   * Calls the event's listeners in the order they were added.
   *
   * @param event Event name.
   * @param value The value.
   */
  emit<K extends keyof Events>(event: K, value: Events[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(value);
      } catch (error) {
        report(error);
      }
    }
  }
}

function report(error: unknown): void {
  const global = globalThis as { reportError?: (error: unknown) => void };
  if (typeof global.reportError === "function") global.reportError(error);
  else {setTimeout(() => {
      throw error;
    });}
}
