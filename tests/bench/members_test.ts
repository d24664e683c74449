import assert from "assert";
import { checkMembers } from "../../bench/_members.ts";

Deno.test("checkMembers() finds nothing wrong when every member got what its room's publishers sent", () => {
  // Two rooms of four, two publishers each: publishers are owed the other publisher's messages.
  const sentBy = [3, 5, 2, 2];
  const received = [5, 3, 8, 8, 2, 2, 4, 4];
  assert.deepEqual(checkMembers(received, sentBy, 4, 2), { short: 0, over: 0 });
});

Deno.test("checkMembers() sees a loss that another member's duplicate hides in the total", () => {
  const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const good = [0, 10, 10, 10];
  const bad = [0, 9, 11, 10];
  assert.equal(total(bad), total(good));
  assert.deepEqual(checkMembers(bad, [10], 4, 1), { short: 1, over: 1 });
});

Deno.test("checkMembers() counts a member that got nothing as short", () => {
  assert.deepEqual(checkMembers([0, 0, 7], [7], 3, 1), { short: 1, over: 0 });
});
