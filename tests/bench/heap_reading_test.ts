import assert from "assert";
import { heapReadingPath, takeGcReadings } from "../../bench/_heap_reading.ts";

// Pids far above Linux's pid_max, so no running server's reading is touched.
const PIDS = [2 ** 30 + 1, 2 ** 30 + 2];

function write(pid: number, reading: Record<string, unknown>): void {
  Deno.writeTextFileSync(heapReadingPath(pid), JSON.stringify(reading));
}

Deno.test("readings of several servers add up in KiB, and are removed once read", () => {
  write(PIDS[0], { heapUsedBytes: 2048, rssAfterGcBytes: 4096 });
  write(PIDS[1], { heapUsedBytes: 1024, rssAfterGcBytes: 8192 });
  assert.deepEqual(takeGcReadings(PIDS), { heapKb: 3, rssAfterGcKb: 12 });
  for (const pid of PIDS) {
    assert.throws(() => Deno.statSync(heapReadingPath(pid)), Deno.errors.NotFound);
  }
});

Deno.test("readings are null when a server wrote none or wrote no numbers", () => {
  assert.equal(takeGcReadings([PIDS[0]]), null);
  write(PIDS[0], { heapUsedBytes: "1", rssAfterGcBytes: 1 });
  assert.equal(takeGcReadings([PIDS[0]]), null);
  write(PIDS[0], { heapUsedBytes: 1 });
  assert.equal(takeGcReadings([PIDS[0]]), null, "a reading of the heap alone");
});
