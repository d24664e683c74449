import assert from "assert";
import { Mailbox } from "../../src/room/mailbox.ts";

Deno.test("Mailbox runs tasks one at a time in the order posted, async ones included", async () => {
  const order: string[] = [];
  const box = new Mailbox(() => {});
  box.post(async () => {
    order.push("a:start");
    await new Promise((r) => setTimeout(r, 5));
    order.push("a:end");
  });
  box.post(() => void order.push("b"));
  box.post(async () => {
    await Promise.resolve();
    order.push("c");
  });
  await box.idle();
  assert.deepEqual(order, ["a:start", "a:end", "b", "c"]);
});

Deno.test("Mailbox reports a throwing task and goes on with the next", async () => {
  const errors: unknown[] = [];
  const box = new Mailbox((e) => errors.push(e));
  let ran = false;
  box.post(() => {
    throw new Error("boom");
  });
  box.post(() => void (ran = true));
  await box.idle();
  assert.equal(errors.length, 1);
  assert.ok(ran);
});

Deno.test("Mailbox refuses tasks once closed", async () => {
  const box = new Mailbox(() => {});
  box.close();
  assert.equal(box.post(() => {}), false);
  await box.idle();
  assert.equal(box.depth, 0);
});

Deno.test("Mailbox keeps order across more than a thousand queued tasks", async () => {
  const seen: number[] = [];
  const box = new Mailbox(() => {});
  for (let i = 0; i < 5000; i++) box.post(() => void seen.push(i));
  await box.idle();
  assert.equal(seen.length, 5000);
  assert.ok(seen.every((v, i) => v === i));
});

Deno.test("Mailbox runs a posted task after post returns, never within it", async () => {
  const order: string[] = [];
  const box = new Mailbox(() => {});
  await box.idle();
  box.post(() => void order.push("task"));
  order.push("posted");
  await box.idle();
  assert.deepEqual(order, ["posted", "task"]);
});
