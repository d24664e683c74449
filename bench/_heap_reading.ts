/**
 * The server's JS heap after a forced collection, beside its RSS: the garbage-collection preload
 * (`_gc_on_signal.ts`) writes the live heap to a file named by its pid right after each
 * collection, and the load tool reads it (and removes it). RSS after a collection also moves
 * with what the runtime's allocator keeps outside the heap (several MB from run to run at 5,000
 * connections, the same for every server); the heap is what the server's own objects hold.
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

/**
 * Reads and removes the servers' last heap readings.
 *
 * @param pids The servers' processes.
 * @returns Their live heaps added up, KiB, or `null` when one wrote none (started without the
 *   preload, or not yet collected).
 */
export function takeHeapReadings(pids: readonly number[]): number | null {
  let totalKb = 0;
  for (const pid of pids) {
    const path = heapReadingPath(pid);
    let text: string;
    try {
      text = Deno.readTextFileSync(path);
    } catch {
      return null;
    }
    Deno.removeSync(path);
    const bytes = (JSON.parse(text) as { heapUsedBytes?: unknown }).heapUsedBytes;
    if (typeof bytes !== "number") return null;
    totalKb += bytes / 1024;
  }
  return totalKb;
}
