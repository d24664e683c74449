import assert from "assert";
import { heapReadingPath, takeHeapReadings } from "../../bench/_heap_reading.ts";

// Pids far above Linux's pid_max, so no running server's reading is touched.
const PIDS = [2 ** 30 + 1, 2 ** 30 + 2];

Deno.test("heap readings of several servers add up in KiB, and are removed once read", () => {
  Deno.writeTextFileSync(heapReadingPath(PIDS[0]), JSON.stringify({ heapUsedBytes: 2048 }));
  Deno.writeTextFileSync(heapReadingPath(PIDS[1]), JSON.stringify({ heapUsedBytes: 1024 }));
  assert.equal(takeHeapReadings(PIDS), 3);
  for (const pid of PIDS) {
    assert.throws(() => Deno.statSync(heapReadingPath(pid)), Deno.errors.NotFound);
  }
});

Deno.test("heap readings are null when a server wrote none or wrote no number", () => {
  assert.equal(takeHeapReadings([PIDS[0]]), null);
  Deno.writeTextFileSync(heapReadingPath(PIDS[0]), JSON.stringify({ heapUsedBytes: "1" }));
  assert.equal(takeHeapReadings([PIDS[0]]), null);
});
