/**
 * Picks the storage engine named by the configuration.
 *
 * @module
 */
import { MemoryStore } from "./memory.ts";
import { SqliteStore } from "./sqlite.ts";
import type { Store } from "./types.ts";

/** The part of the server configuration that chooses and sizes the store. */
export interface StoreConfig {
  /** Engine: `sqlite` (a file in `dataDir`) or `memory` (nothing survives a restart). */
  store: "sqlite" | "memory";
  /** Directory of the SQLite file. */
  dataDir: string;
  /** Newest messages kept per room (0 = unlimited). */
  historySize: number;
}

/**
 * Opens the configured storage engine.
 *
 * @param config Engine, data directory and retention (a `Config` fits).
 * @returns The open store.
 * @throws {StoreError} When the SQLite database cannot be opened.
 *
 * @example An in-memory store
 * ```ts
 * import { openStore, type StoreConfig } from "./open_store.ts";
 *
 * const config: StoreConfig = { store: "memory", dataDir: "./data", historySize: 1000 };
 * const store = openStore(config);
 * await store.ping();
 * await store.close();
 * ```
 */
export function openStore(config: StoreConfig): Store {
  const { dataDir, historySize } = config;
  return config.store === "sqlite"
    ? SqliteStore.open({ dataDir, historySize, backgroundCheckpoints: true })
    : new MemoryStore({ historySize });
}
