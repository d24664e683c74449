/**
 * Records what a client tells the application, for assertions.
 *
 * @module
 */
import type { RoomClient, RoomMessage, StateChange } from "../../src/client/mod.ts";
import { until } from "../_helpers/until.ts";

/** What a client emitted, in order. */
export interface Recorded {
  /** `state` events. */
  states: StateChange[];
  /** Room messages (`message` events). */
  messages: RoomMessage[];
  /** Waits until the client reaches a state (counting from the `after`-th state event). */
  reach(state: StateChange["state"], after?: number, timeoutMs?: number): Promise<StateChange>;
}

/**
 * Starts recording a client's events.
 *
 * @param client The client, just made.
 * @returns The record.
 */
export function record(client: RoomClient): Recorded {
  const states: StateChange[] = [];
  const messages: RoomMessage[] = [];
  client.on("state", (s) => states.push(s));
  client.on("message", (m) => messages.push(m));
  return {
    states,
    messages,
    async reach(state, after = 0, timeoutMs = 10_000) {
      await until(
        () => states.slice(after).some((s) => s.state === state),
        `state ${state} (got ${states.map((s) => s.state).join(", ")})`,
        timeoutMs,
      );
      return states.slice(after).find((s) => s.state === state)!;
    },
  };
}
