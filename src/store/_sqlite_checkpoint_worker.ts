/**
 * The worker of {@linkcode Checkpointer}: its own connection to the store's file, moving the
 * WAL into the database every interval with a PASSIVE checkpoint (which never blocks the
 * writer), so that the copying and the fsync that ends it happen off the event loop. Private to
 * `_sqlite_checkpointer.ts`.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";

/** What the store's thread sends. */
export type CheckpointCommand = { start: { path: string; intervalMs: number } } | "stop";

/** What the worker answers. */
export type CheckpointReply = "started" | "stopped" | { failed: string };

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<CheckpointCommand>) => void) | null;
  postMessage(reply: CheckpointReply): void;
};

let db: DatabaseSync | null = null;
let timer: ReturnType<typeof setInterval> | undefined;

function checkpoint(): void {
  try {
    db?.exec("PRAGMA wal_checkpoint(PASSIVE)");
  } catch {
    // A full disk or a busy file: the WAL keeps what it holds, the next interval tries again.
  }
}

scope.onmessage = (event) => {
  const command = event.data;
  if (command === "stop") {
    clearInterval(timer);
    checkpoint();
    db?.close();
    db = null;
    scope.postMessage("stopped");
    return;
  }
  try {
    db = new DatabaseSync(command.start.path);
    db.exec("PRAGMA busy_timeout = 5000");
    timer = setInterval(checkpoint, command.start.intervalMs);
    scope.postMessage("started");
  } catch (err) {
    scope.postMessage({ failed: err instanceof Error ? err.message : String(err) });
  }
};
