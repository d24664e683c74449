import assert from "assert";
import { JoinOrder } from "../../src/presence/join_order.ts";

/** Every entry, paging by `limit`. */
function all(order: JoinOrder<string>, limit: number): string[] {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = order.page(cursor, limit)!;
    seen.push(...page.items);
    if (page.cursor === null) return seen;
    cursor = page.cursor;
  }
  throw new Error("paging did not end");
}

Deno.test("JoinOrder lists entries in join order and ends with a null cursor", () => {
  const order = new JoinOrder<string>();
  for (let i = 0; i < 10; i++) order.add(`u${i}`);
  assert.deepEqual(all(order, 3), Array.from({ length: 10 }, (_, i) => `u${i}`));
  assert.deepEqual(order.page(undefined, 10), { items: all(order, 10), cursor: null });
  assert.equal(new JoinOrder<string>().page(undefined, 5)?.cursor, null);
});

Deno.test("JoinOrder paging lists every entry present throughout exactly once while others join and leave", () => {
  const order = new JoinOrder<string>();
  const numbers = new Map<string, number>();
  for (let i = 0; i < 1000; i++) numbers.set(`u${i}`, order.add(`u${i}`));
  const seen: string[] = [];
  let cursor: string | undefined;
  let joined = 1000;
  for (let pages = 0; pages < 1000; pages++) {
    const page = order.page(cursor, 37)!;
    seen.push(...page.items);
    // Between pages: the newest page's entries and some unseen ones leave, newcomers join.
    for (const id of page.items.slice(0, 5)) order.remove(numbers.get(id)!);
    for (let k = 0; k < 3; k++) order.remove(numbers.get(`u${(pages * 97 + k * 13) % 1000}`)!);
    for (let k = 0; k < 4; k++) numbers.set(`n${joined}`, order.add(`n${joined++}`));
    if (page.cursor === null) break;
    cursor = page.cursor;
  }
  assert.equal(new Set(seen).size, seen.length, "no entry twice");
  const removedEarly = new Set<string>();
  for (let pages = 0; pages < 1000; pages++) {
    for (let k = 0; k < 3; k++) removedEarly.add(`u${(pages * 97 + k * 13) % 1000}`);
  }
  for (let i = 0; i < 1000; i++) {
    const id = `u${i}`;
    if (!removedEarly.has(id)) assert.ok(seen.includes(id), `${id} was skipped`);
  }
  assert.ok(order.size > 0);
});

Deno.test("JoinOrder refuses a cursor of another instance or a malformed one", () => {
  const a = new JoinOrder<string>();
  const b = new JoinOrder<string>();
  a.add("x");
  a.add("y");
  const cursor = a.page(undefined, 1)!.cursor!;
  assert.deepEqual(a.page(cursor, 5)?.items, ["y"]);
  for (const bad of ["", "zzz", `${cursor}!`, cursor.replace(/\.\w+$/, ".zzzzzzzzzz")]) {
    assert.equal(a.page(bad, 5), null, bad);
  }
  assert.equal(b.page(cursor, 5), null);
});

Deno.test("JoinOrder with a limit of 0 gives a cursor at the start", () => {
  const order = new JoinOrder<string>();
  order.add("x");
  const start = order.page(undefined, 0)!;
  assert.deepEqual(start.items, []);
  assert.deepEqual(order.page(start.cursor!, 5)?.items, ["x"]);
});

Deno.test("JoinOrder keeps a cursor valid across the compaction that follows many leaves", () => {
  const order = new JoinOrder<string>();
  const numbers = Array.from({ length: 1000 }, (_, i) => order.add(`u${i}`));
  const first = order.page(undefined, 100)!;
  for (let i = 0; i < 950; i++) if (i % 20 !== 0) order.remove(numbers[i]);
  assert.equal(order.size, 1000 - 950 + 48);
  const rest = [];
  let cursor: string | null = first.cursor;
  while (cursor !== null) {
    const page: { items: string[]; cursor: string | null } = order.page(cursor, 7)!;
    rest.push(...page.items);
    cursor = page.cursor;
  }
  const expected = [];
  for (let i = 100; i < 1000; i++) if (i >= 950 || i % 20 === 0) expected.push(`u${i}`);
  assert.deepEqual(rest, expected);
});
