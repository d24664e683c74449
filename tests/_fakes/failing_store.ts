/**
 * A store whose writes fail on demand, as a full disk makes them fail, for tests of what roomd
 * does while it cannot write (and of its recovery once it can).
 *
 * @module
 */
import { StoreError } from "../../src/store/store_error.ts";
import type { Store } from "../../src/store/types.ts";

/** Every write of a {@linkcode Store}: these fail while the disk is "full". */
const WRITES = new Set<string | symbol>([
  "appendMessages",
  "probeWrite",
  "createRoom",
  "updateRoom",
  "deleteRoom",
  "trimOlderThan",
]);

/** A store with a switch that makes its writes fail. */
export interface FailingStore {
  /** The store to hand to the server or the rooms. */
  store: Store;
  /** While `true`, every write rejects with `database or disk is full`; reads still work. */
  full: boolean;
  /** Write calls refused so far, by method name. */
  refused: string[];
}

/**
 * Wraps a store so that its writes fail while `full` is set.
 *
 * @param inner The real store.
 * @returns The wrapper and its switch.
 */
export function failingStore(inner: Store): FailingStore {
  const state: FailingStore = { store: inner, full: false, refused: [] };
  state.store = new Proxy(inner, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (!WRITES.has(property)) return value.bind(target);
      return (...args: unknown[]) => {
        if (!state.full) return value.apply(target, args);
        state.refused.push(String(property));
        return Promise.reject(
          new StoreError(`Cannot ${String(property)}: database or disk is full`),
        );
      };
    },
  });
  return state;
}
