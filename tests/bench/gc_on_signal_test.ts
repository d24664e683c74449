import assert from "assert";
import { withGcOnSignal } from "../../bench/_child.ts";
import { heapReadingPath, takeGcReadings } from "../../bench/_heap_reading.ts";
import { sampleProcess } from "../../bench/_proc.ts";
import { until } from "../_helpers/until.ts";

/**
 * A process that frees 64 MiB in 64 KiB holes between buffers it keeps: the allocator keeps
 * the holes until it is told to return them.
 */
const FRAGMENTER = `
globalThis.kept = [];
let freed = [];
for (let i = 0; i < 2048; i++) (i % 2 ? kept : freed).push(new Uint8Array(64 * 1024).fill(1));
freed = [];
console.log("ready");
setInterval(() => {}, 1000);
`;

Deno.test({
  name: "the collection preload returns the allocator's free memory to the system after reading",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const script = await Deno.makeTempFile({ suffix: ".js" });
    await Deno.writeTextFile(script, FRAGMENTER);
    const child = new Deno.Command(Deno.execPath(), {
      args: withGcOnSignal(["run", "-A", script]),
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    try {
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let out = "";
      while (!out.includes("ready")) out += (await reader.read()).value ?? "";
      child.kill("SIGUSR2");
      await until(() => exists(heapReadingPath(child.pid)), "the server's reading");
      await new Promise((resolve) => setTimeout(resolve, 100));
      const reading = takeGcReadings([child.pid])!;
      const trimmedKb = sampleProcess(child.pid)!.rssKb;
      assert.ok(
        reading.rssAfterGcKb - trimmedKb > 32 * 1024,
        `RSS ${reading.rssAfterGcKb} KiB after the collection, ${trimmedKb} KiB after the trim`,
      );
      reader.releaseLock();
    } finally {
      child.kill("SIGKILL");
      await child.status;
      await child.stdout.cancel().catch(() => {});
      await Deno.remove(script);
    }
  },
});

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}
