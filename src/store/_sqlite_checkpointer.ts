/**
 * Checkpoints of the SQLite WAL off the event loop. SQLite's automatic checkpoint runs inside
 * the commit that crosses 1,000 WAL pages: it copies them into the database and fsyncs it on
 * the committing thread, which here is the event loop, every few seconds under load. The fan-out
 * measured p99 ×1.41 of the naive loop with it and ×1.06 without (`bench:compare`, 2 load
 * processes). So the store turns it off and a worker thread checkpoints instead. Private to
 * `sqlite.ts`.
 *
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { CheckpointCommand, CheckpointReply } from "./_sqlite_checkpoint_worker.ts";

/** How often the worker checkpoints. */
const CHECKPOINT_INTERVAL_MS = 1000;
/** SQLite's own default, put back when the worker is gone. */
const AUTO_CHECKPOINT_PAGES = 1000;
/** How long the worker's last checkpoint may take when it stops. */
const STOP_TIMEOUT_MS = 5000;

/** A worker checkpointing one database file. */
export class Checkpointer {
  readonly #worker: Worker;
  readonly #db: DatabaseSync;
  #stopped = false;

  private constructor(worker: Worker, db: DatabaseSync) {
    this.#worker = worker;
    this.#db = db;
    // Without the worker the WAL would only grow: SQLite then checkpoints on its own again.
    worker.onerror = (event) => {
      event.preventDefault();
      this.#fallBack();
    };
    worker.onmessage = (event: MessageEvent<CheckpointReply>) => {
      if (typeof event.data === "object") this.#fallBack();
    };
  }

  /**
   * Starts checkpointing `path` from a worker and turns the automatic checkpoint of `db` off.
   * When the worker cannot be made (e.g. a compiled binary built without its file) or cannot
   * open the file, `db` checkpoints by itself as before.
   *
   * @param db The store's connection.
   * @param path The database file.
   * @returns The checkpointer, or `null` when no worker could be made.
   */
  static start(db: DatabaseSync, path: string): Checkpointer | null {
    let worker: Worker;
    try {
      worker = new Worker(new URL("./_sqlite_checkpoint_worker.ts", import.meta.url), {
        type: "module",
      });
    } catch {
      return null;
    }
    const checkpointer = new Checkpointer(worker, db);
    db.exec("PRAGMA wal_autocheckpoint = 0");
    worker.postMessage(
      { start: { path, intervalMs: CHECKPOINT_INTERVAL_MS } } satisfies CheckpointCommand,
    );
    return checkpointer;
  }

  /**
   * Stops the worker after a last checkpoint; the store's connection checkpoints by itself
   * again. Stopping twice is harmless.
   *
   * @returns Resolves once the worker is gone.
   */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#fallBack();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, STOP_TIMEOUT_MS);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#worker.onmessage = (event: MessageEvent<CheckpointReply>) => {
        if (event.data === "stopped") done();
      };
      this.#worker.onerror = (event) => {
        event.preventDefault();
        done();
      };
      this.#worker.postMessage("stop" satisfies CheckpointCommand);
    });
    this.#worker.terminate();
  }

  #fallBack(): void {
    if (this.#db.isOpen) this.#db.exec(`PRAGMA wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  }
}
