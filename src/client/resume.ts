/**
 * Where the client is in the room's message stream: the last id it delivered and the epoch,
 * so that a reconnect resumes after it and a message is delivered once.
 *
 * @module
 */

/**
 * Tracks the stream position. Ids of a room are strictly increasing and arrive in order, so a
 * message at or below the last delivered id is a duplicate (replayed after a resume that
 * overlapped what was already seen).
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { ResumeState } from "./resume.ts";
 * const resume = new ResumeState();
 * resume.welcome({ last_id: 10, epoch: "e1" });
 * assert.ok(resume.accept(11));
 * assert.ok(!resume.accept(11));
 * assert.deepEqual(resume.query(), { since: "11", epoch: "e1" });
 * ```
 */
export class ResumeState {
  #lastId: number | undefined;
  #epoch: string | undefined;

  /**
   * @param since Last id the application already has (resume from it on the first connect).
   * @param epoch The epoch that id belongs to.
   */
  constructor(since?: number, epoch?: string) {
    this.#lastId = since;
    this.#epoch = epoch;
  }

  /** Last id delivered, if any. */
  get lastId(): number | undefined {
    return this.#lastId;
  }

  /** Epoch of the stream, once known. */
  get epoch(): string | undefined {
    return this.#epoch;
  }

  /**
   * The query that resumes the stream (`since` and `epoch`), empty before the first welcome
   * when no position was given.
   *
   * @returns Query parameters.
   */
  query(): Record<string, string> {
    if (this.#lastId === undefined) return {};
    const query: Record<string, string> = { since: String(this.#lastId) };
    if (this.#epoch !== undefined) query.epoch = this.#epoch;
    return query;
  }

  /**
   * Takes in a welcome: on a fresh join the stream starts after its `last_id`; after a resume
   * that did not recover, the server replays what it retains from the start, so every id is
   * new again.
   *
   * @param welcome The welcome's `last_id`, `epoch` and `recovered`.
   */
  welcome(welcome: { last_id: number; epoch: string; recovered?: boolean }): void {
    if (welcome.recovered === undefined) this.#lastId = welcome.last_id;
    else if (!welcome.recovered) this.#lastId = 0;
    this.#epoch = welcome.epoch;
  }

  /**
   * Starts over after a `system` `epoch` event: the room's history began again (the server's
   * Redis lost it), so ids continue after `last_id` in the new epoch.
   *
   * @param event The event's `data`.
   */
  epochChanged(event: { epoch: string; last_id: number }): void {
    this.#lastId = event.last_id;
    this.#epoch = event.epoch;
  }

  /**
   * Takes in the id of the client's own message, which the server does not echo: every
   * message with a lower id reached this socket before the `ack`, so the stream position moves
   * past it (a resume then does not replay the client's own messages as new).
   *
   * @param id The id in the `ack`.
   */
  acknowledged(id: number): void {
    if (this.#lastId === undefined || id > this.#lastId) this.#lastId = id;
  }

  /**
   * Whether a message with this id is new; if so it becomes the last delivered.
   *
   * @param id The message's id.
   * @returns `false` for a duplicate.
   */
  accept(id: number): boolean {
    if (this.#lastId !== undefined && id <= this.#lastId) return false;
    this.#lastId = id;
    return true;
  }
}
