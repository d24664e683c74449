/**
 * Preloaded into a server by `bench/compare.ts` and `bench/soak.ts --collect` (`deno run
 * --preload … --v8-flags=--expose-gc`) for memory figures: SIGUSR2 runs a full, memory-reducing
 * garbage collection, so what a server holds can be read without the garbage its last burst left
 * behind. Right after each collection it writes the live heap and the RSS to the file the load
 * tool reads (`_heap_reading.ts`), then, on Linux with glibc, calls `malloc_trim(0)`: that
 * returns to the system the memory the allocator holds free (the runtime's threads leave from 6
 * to 17 MB of it after a 5,000-client storm, differently from run to run), so the RSS read after
 * the signal is what the server's live objects and mappings hold.
 * (The V8 inspector could collect too, but with it Deno keeps every upgraded request alive and
 * roomd's connects cost twice the CPU.)
 *
 * @module
 */
import { heapReadingPath } from "./_heap_reading.ts";

type Gc = (options?: { type: string; execution: string; flavor?: string }) => void;

const gc = (globalThis as { gc?: Gc }).gc;
const trimMalloc = openMallocTrim();
if (gc !== undefined) {
  Deno.addSignalListener("SIGUSR2", () => {
    gc({ type: "major", execution: "sync", flavor: "last-resort" });
    const { heapUsed, rss } = Deno.memoryUsage();
    const reading = { heapUsedBytes: heapUsed, rssAfterGcBytes: rss };
    Deno.writeTextFileSync(heapReadingPath(Deno.pid), JSON.stringify(reading));
    trimMalloc?.();
  });
}

/** glibc's `malloc_trim(0)`, or `null` where there is none to call. */
function openMallocTrim(): (() => void) | null {
  if (Deno.build.os !== "linux") return null;
  try {
    const libc = Deno.dlopen("libc.so.6", {
      malloc_trim: { parameters: ["usize"], result: "i32" },
    });
    return () => libc.symbols.malloc_trim(0n);
  } catch {
    return null;
  }
}
