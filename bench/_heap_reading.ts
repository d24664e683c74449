/**
 * The server's JS heap and RSS right after a forced collection: the garbage-collection preload
 * (`_gc_on_signal.ts`) writes them to a file named by its pid after each collection, and the
 * load tool reads it (and removes it). The RSS written there still holds the memory the
 * runtime's allocator keeps free (6 to 17 MB after a 5,000-client storm, from run to run); the
 * preload then returns that to the system, so RSS read from `/proc` afterwards does not. The
 * heap is what the server's own objects hold.
 *
 * @module
 */
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Where a server writes its heap after a collection.
 *
 * @param pid The server's process id.
 * @returns The file's path, in the system's temp directory.
 */
export function heapReadingPath(pid: number): string {
  return join(tmpdir(), `roomd-bench-heap-${pid}.json`);
}

/** What a server wrote right after a forced collection, added up over the servers read. */
export interface GcReading {
  /** Live JS heap, KiB. */
  heapKb: number;
  /** RSS right after the collection, before the allocator returned its free memory, KiB. */
  rssAfterGcKb: number;
}

/**
 * Reads and removes the servers' last readings.
 *
 * @param pids The servers' processes.
 * @returns Their readings added up, or `null` when one wrote none (started without the
 *   preload, or not yet collected) or wrote no numbers.
 */
export function takeGcReadings(pids: readonly number[]): GcReading | null {
  const total: GcReading = { heapKb: 0, rssAfterGcKb: 0 };
  for (const pid of pids) {
    const path = heapReadingPath(pid);
    let text: string;
    try {
      text = Deno.readTextFileSync(path);
    } catch {
      return null;
    }
    Deno.removeSync(path);
    const { heapUsedBytes, rssAfterGcBytes } = JSON.parse(text) as Record<string, unknown>;
    if (typeof heapUsedBytes !== "number" || typeof rssAfterGcBytes !== "number") return null;
    total.heapKb += heapUsedBytes / 1024;
    total.rssAfterGcKb += rssAfterGcBytes / 1024;
  }
  return total;
}
