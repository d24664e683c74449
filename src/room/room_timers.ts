/**
 * A room actor's timers: the stop timer of an empty room, the presence tick, and the refresh
 * of its presence entries on a shared engine. Each fires by posting a task to the actor.
 *
 * @module
 */

/** The room timers' view of their actor. */
export interface TimerHost {
  /** Posts a task to the actor's mailbox. */
  tell(task: () => void | Promise<void>): void;
}

/** One room's timers. */
export class RoomTimers {
  readonly #host: TimerHost;
  #stop: ReturnType<typeof setTimeout> | undefined;
  #presence: ReturnType<typeof setTimeout> | undefined;
  #refresh: ReturnType<typeof setInterval> | undefined;

  /** @param host The actor. */
  constructor(host: TimerHost) {
    this.#host = host;
  }

  /**
   * Runs `task` after `delayMs`, replacing a stop already scheduled.
   *
   * @param delayMs Delay.
   * @param task The check-and-stop task.
   */
  scheduleStop(delayMs: number, task: () => void): void {
    this.cancelStop();
    this.#stop = setTimeout(() => {
      this.#stop = undefined;
      this.#host.tell(task);
    }, delayMs);
  }

  /** Drops the scheduled stop. */
  cancelStop(): void {
    if (this.#stop !== undefined) clearTimeout(this.#stop);
    this.#stop = undefined;
  }

  /**
   * Ends the presence tick in `delayMs` unless a tick is already due: one timer per room,
   * armed by the tick's first event.
   *
   * @param delayMs Delay.
   * @param task The flush task.
   */
  schedulePresence(delayMs: number, task: () => Promise<void>): void {
    if (this.#presence !== undefined) return;
    this.#presence = setTimeout(() => {
      this.#presence = undefined;
      this.#host.tell(task);
    }, delayMs);
  }

  /**
   * Runs `task` every `everyMs` (presence refresh of a shared engine).
   *
   * @param everyMs Period.
   * @param task The refresh task.
   */
  refreshEvery(everyMs: number, task: () => Promise<void>): void {
    clearInterval(this.#refresh);
    this.#refresh = setInterval(() => this.#host.tell(task), everyMs);
  }

  /** Clears every timer. */
  clear(): void {
    this.cancelStop();
    clearTimeout(this.#presence);
    this.#presence = undefined;
    clearInterval(this.#refresh);
  }
}
