/**
 * Preloaded into a server by `bench/compare.ts` and `bench/soak.ts --collect` (`deno run
 * --preload … --v8-flags=--expose-gc`) for memory figures: SIGUSR2 runs a full, memory-reducing
 * garbage collection, so what a server holds can be read without the garbage its last burst left
 * behind. Right after each collection it writes the live heap to the file the load tool reads
 * (`_heap_reading.ts`).
 * (The V8 inspector could collect too, but with it Deno keeps every upgraded request alive and
 * roomd's connects cost twice the CPU.)
 *
 * @module
 */
import { heapReadingPath } from "./_heap_reading.ts";

type Gc = (options?: { type: string; execution: string; flavor?: string }) => void;

const gc = (globalThis as { gc?: Gc }).gc;
if (gc !== undefined) {
  Deno.addSignalListener("SIGUSR2", () => {
    gc({ type: "major", execution: "sync", flavor: "last-resort" });
    const heapUsedBytes = Deno.memoryUsage().heapUsed;
    Deno.writeTextFileSync(heapReadingPath(Deno.pid), JSON.stringify({ heapUsedBytes }));
  });
}
