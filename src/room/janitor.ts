/**
 * Periodic cleanup: rooms that stayed empty past their TTL are deleted (through their actor, so
 * a join racing the cleanup wins), and history older than `ROOMD_HISTORY_TTL_S` is trimmed.
 *
 * @module
 */
import type { Logger } from "../log.ts";
import type { Store } from "../store/types.ts";
import type { RoomRegistry } from "./registry.ts";

/** Settings of the janitor. */
export interface JanitorOptions {
  /** How long `auto` rooms may stay empty. */
  emptyRoomTtlS: number;
  /** Age past which messages are removed; 0 = keep by count only. */
  historyTtlS: number;
  /** Time between sweeps. */
  intervalMs: number;
}

/**
 * Runs {@linkcode Janitor.sweep} every `intervalMs` until stopped.
 */
export class Janitor {
  readonly #store: Store;
  readonly #registry: RoomRegistry;
  readonly #log: Logger;
  readonly #options: JanitorOptions;
  #timer: ReturnType<typeof setInterval> | undefined;
  #sweeping: Promise<void> | null = null;

  /**
   * @param store Rooms and history.
   * @param registry Live rooms.
   * @param log Logger.
   * @param options TTLs and interval.
   */
  constructor(store: Store, registry: RoomRegistry, log: Logger, options: JanitorOptions) {
    this.#store = store;
    this.#registry = registry;
    this.#log = log;
    this.#options = options;
  }

  /** Starts the periodic sweep (the timer does not keep the process alive). */
  start(): void {
    const timer = setInterval(() => {
      this.#sweeping ??= this.sweep().then(
        () => {},
        (error) => this.#log.error("Cannot clean up rooms: {error}", { error: String(error) }),
      ).finally(() => this.#sweeping = null);
    }, this.#options.intervalMs);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  /** Stops the timer and waits for a running sweep. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#sweeping;
  }

  /**
   * One cleanup pass at the current time.
   *
   * @returns The ids of the rooms deleted.
   */
  async sweep(): Promise<string[]> {
    const now = new Date();
    const deleted: string[] = [];
    for (const id of await this.#store.listExpiredRooms(now, this.#options.emptyRoomTtlS)) {
      if (await this.#registry.open(id).expireIfDue(now, this.#options.emptyRoomTtlS)) {
        deleted.push(id);
      }
    }
    if (deleted.length > 0) {
      this.#log.info("Deleted {count} expired rooms", { count: deleted.length });
    }
    if (this.#options.historyTtlS > 0) {
      await this.#store.trimOlderThan(new Date(now.getTime() - this.#options.historyTtlS * 1000));
    }
    return deleted;
  }
}
