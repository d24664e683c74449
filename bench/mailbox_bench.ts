/**
 * The room mailbox, an array drained by one async loop (src/room/mailbox.ts), against the same
 * mailbox on a Web Streams `WritableStream` (`StreamMailbox`): a burst of tasks drained together,
 * and a task posted and awaited alone (a quiet room). The broadcast path posts one task per
 * message, never one per recipient; bench/broadcast_bench.ts and `deno task bench:compare
 * --scenario fanout` give the cost per delivery.
 *
 * ```sh
 * deno bench --allow-all bench/mailbox_bench.ts
 * ```
 *
 * @module
 */
import { Mailbox } from "../src/room/mailbox.ts";
import { StreamMailbox } from "./_stream_mailbox.ts";

const BURST = 100;
const boxes = {
  "array loop": new Mailbox(() => {}),
  "WritableStream": new StreamMailbox(() => {}),
};
let runs = 0;
const task = () => {
  runs++;
};

for (const [name, box] of Object.entries(boxes)) {
  Deno.bench({
    name: `${BURST} tasks in a burst: ${name}`,
    group: "burst",
    baseline: name === "array loop",
    async fn() {
      for (let i = 0; i < BURST; i++) box.post(task);
      await box.idle();
    },
  });
  Deno.bench({
    name: `one task at a time: ${name}`,
    group: "single",
    baseline: name === "array loop",
    async fn() {
      box.post(task);
      await box.idle();
    },
  });
}
