import assert from "assert";
import { PresenceBatch } from "../../src/room/presence.ts";

const ann = { id: "ann", name: "Ann" };
const bob = { id: "bob", name: "Bob" };
const cy = { id: "cy", name: "Cy" };

Deno.test("PresenceBatch keeps the single-event shape: action, user and user_id beside joins, leaves and count", () => {
  const batch = new PresenceBatch();
  batch.leave(bob);
  assert.deepEqual(batch.take("full", 1), {
    userId: "bob",
    data: { joins: [], leaves: [bob], count: 1, action: "leave", user: bob },
    skipUser: null,
  });
  batch.join(ann);
  assert.deepEqual(batch.take("full", 2), {
    userId: "ann",
    data: { joins: [ann], leaves: [], count: 2, action: "join", user: ann },
    skipUser: "ann",
  });
});

Deno.test("PresenceBatch sends one frame for every event of a tick, without action or user", () => {
  const batch = new PresenceBatch();
  batch.join(ann);
  batch.leave(bob);
  batch.join(cy);
  assert.deepEqual(batch.take("full", 2), {
    userId: null,
    data: { joins: [ann, cy], leaves: [bob], count: 2 },
    skipUser: null,
  });
  assert.equal(batch.pending, false);
  assert.equal(batch.take("full", 2), null);
});

Deno.test("PresenceBatch cancels a join and leave of one user when nobody read the room in between", () => {
  const batch = new PresenceBatch();
  batch.join(ann);
  batch.noteRead("ann");
  batch.leave(ann);
  assert.equal(batch.take("full", 0), null);
  batch.leave(bob);
  batch.join(bob);
  batch.noteRead("bob");
  assert.equal(batch.take("full", 1), null);
});

Deno.test("PresenceBatch lists a user by the final state when another member read the room in between", () => {
  const batch = new PresenceBatch();
  batch.join(ann);
  batch.noteRead("bob");
  batch.leave(ann);
  assert.deepEqual(batch.take("full", 1)?.data.leaves, [ann]);
  batch.leave(cy);
  batch.noteRead("bob");
  batch.join(cy);
  assert.deepEqual(batch.take("full", 2)?.data.joins, [cy]);
});

Deno.test("PresenceBatch in count mode sends the count only, and only when it changed", () => {
  const batch = new PresenceBatch();
  batch.join(ann);
  assert.deepEqual(batch.take("count", 1), { userId: null, data: { count: 1 }, skipUser: null });
  batch.join(bob);
  batch.leave(cy);
  assert.equal(batch.take("count", 1), null);
  batch.join(cy);
  assert.deepEqual(batch.take("count", 2)?.data, { count: 2 });
});

Deno.test("PresenceBatch in off mode sends nothing and forgets the tick", () => {
  const batch = new PresenceBatch();
  batch.join(ann);
  assert.equal(batch.take("off", 1), null);
  assert.equal(batch.pending, false);
});
