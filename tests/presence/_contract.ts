/**
 * The behaviour every {@linkcode Presence} engine must have, as one suite each engine's test
 * file registers with its own factory. A factory opens a "cluster": one shared backend and as
 * many nodes over it as a test asks for, with a clock the test moves.
 *
 * @module
 */
import assert from "assert";
import type { Presence, PresenceDiff } from "../../src/presence/presence.ts";

/** Nodes over one shared backend. */
export interface PresenceCluster {
  /** A node with this id over the shared backend. */
  node(nodeId: string): Presence;
  /** Moves the backend's clock on by `ms` (entries and reservations expire by it). */
  advance(ms: number): Promise<void>;
  /** Closes every node and the backend. */
  close(): Promise<void>;
}

/** TTLs the factory must give the backend. */
export interface PresenceTtls {
  /** Entry lifetime without refresh (ms). */
  entryTtlMs: number;
  /** Reservation lifetime (ms). */
  reservationTtlMs: number;
}

/** The TTLs every factory opens its backend with. */
export const CONTRACT_TTLS: PresenceTtls = { entryTtlMs: 30_000, reservationTtlMs: 10_000 };

const user = (id: string) => ({ id, name: `user ${id}` });

async function enter(p: Presence, roomId: string, connectionId: string, userId: string) {
  assert.deepEqual(await p.reserve(roomId, connectionId, 0), { ok: true });
  return p.join(roomId, connectionId, user(userId), Date.now());
}

/**
 * Registers the contract tests of a presence engine.
 *
 * @param name The engine's name, the prefix of every test name (e.g. `LocalPresence`).
 * @param open Opens an empty cluster with {@linkcode CONTRACT_TTLS}.
 */
export function presenceContract(
  name: string,
  open: () => PresenceCluster | Promise<PresenceCluster>,
): void {
  const test = (title: string, body: (cluster: PresenceCluster) => Promise<void>): void => {
    Deno.test(`${name}.${title}`, async () => {
      const cluster = await open();
      try {
        await body(cluster);
      } finally {
        await cluster.close();
      }
    });
  };

  test("join() says first for a user's first connection and leave() says last for the last, across nodes", async (c) => {
    const [a, b] = [c.node("a"), c.node("b")];
    assert.deepEqual(await enter(a, "r", "c1", "ana"), { first: true });
    assert.deepEqual(await enter(b, "r", "c2", "ana"), { first: false });
    assert.deepEqual(await enter(b, "r", "c3", "bo"), { first: true });
    assert.deepEqual(await a.leave("r", "c1"), { last: false, user: user("ana") });
    assert.deepEqual(await b.leave("r", "c2"), { last: true, user: user("ana") });
    assert.equal(await b.leave("r", "c2"), null, "a second leave finds nothing");
  });

  test("count() is exact: users once, connections on every node", async (c) => {
    const [a, b] = [c.node("a"), c.node("b")];
    await enter(a, "r", "c1", "ana");
    await enter(b, "r", "c2", "ana");
    await enter(b, "r", "c3", "bo");
    await enter(b, "other", "c4", "cy");
    assert.deepEqual(await a.count("r"), { members: 2, connections: 3 });
    await a.leave("r", "c1");
    assert.deepEqual(await b.count("r"), { members: 2, connections: 2 });
    assert.deepEqual(await b.count("nowhere"), { members: 0, connections: 0 });
  });

  test("members() pages in join order and lists everyone present exactly once while others join and leave", async (c) => {
    const a = c.node("a");
    for (let i = 0; i < 10; i++) await enter(a, "r", `c${i}`, `u${i}`);
    const first = await a.members("r", undefined, 4);
    assert.deepEqual(first?.members.map((m) => m.id), ["u0", "u1", "u2", "u3"]);
    assert.equal(first?.count, 10);
    await a.leave("r", "c1");
    await a.leave("r", "c5");
    await enter(a, "r", "c10", "u10");
    const seen = [...first!.members.map((m) => m.id)];
    let cursor = first!.cursor;
    while (cursor !== null) {
      const page = await a.members("r", cursor, 4);
      assert.ok(page !== null);
      seen.push(...page.members.map((m) => m.id));
      cursor = page.cursor;
    }
    assert.deepEqual(seen, ["u0", "u1", "u2", "u3", "u4", "u6", "u7", "u8", "u9", "u10"]);
    assert.equal(await a.members("r", "not-a-cursor", 4), null);
  });

  test("members() gives each member's connections and joined_at", async (c) => {
    const [a, b] = [c.node("a"), c.node("b")];
    const at = Date.parse("2026-01-02T03:04:05.000Z");
    await a.reserve("r", "c1", 0);
    await a.join("r", "c1", user("ana"), at);
    await b.reserve("r", "c2", 0);
    await b.join("r", "c2", user("ana"), at + 1000);
    const page = await b.members("r", undefined, 10);
    assert.deepEqual(page?.members, [
      { id: "ana", name: "user ana", connections: 2, joined_at: "2026-01-02T03:04:05.000Z" },
    ]);
  });

  test("memberInfos() gives the pages of members() with ids and names only", async (c) => {
    const [a, b] = [c.node("a"), c.node("b")];
    for (let i = 0; i < 5; i++) await enter(i % 2 ? a : b, "r", `c${i}`, `u${i}`);
    await enter(a, "r", "c5", "u1");
    let cursor: string | undefined = undefined;
    do {
      const page = await b.members("r", cursor, 2);
      const infos = await b.memberInfos("r", cursor, 2);
      assert.ok(page !== null && infos !== null);
      assert.deepEqual(infos, {
        members: page.members.map(({ id, name }) => ({ id, name })),
        count: 5,
        cursor: page.cursor,
      });
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined);
    assert.equal(await a.memberInfos("r", "not-a-cursor", 2), null);
    assert.deepEqual(await a.memberInfos("nowhere", undefined, 2), {
      members: [],
      count: 0,
      cursor: null,
    });
  });

  test("reserve() admits exactly the capacity under 50 concurrent joins over two nodes", async (c) => {
    const [a, b] = [c.node("a"), c.node("b")];
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).reserve("r", `c${i}`, 10)),
    );
    assert.equal(results.filter((r) => r.ok).length, 10);
    assert.ok(results.every((r) => r.ok || r.taken === 10));
  });

  test("reservations and present connections share the capacity; release() frees a slot", async (c) => {
    const a = c.node("a");
    await a.reserve("r", "c1", 2);
    await a.join("r", "c1", user("ana"), Date.now());
    assert.deepEqual(await a.reserve("r", "c2", 2), { ok: true });
    assert.deepEqual(await a.reserve("r", "c3", 2), { ok: false, taken: 2 });
    assert.equal(await a.release("r", "c2"), true);
    assert.deepEqual(await a.reserve("r", "c3", 2), { ok: true });
  });

  test("a reservation expires: its slot is free again and join() refuses it", async (c) => {
    const a = c.node("a");
    await a.reserve("r", "c1", 1);
    await c.advance(CONTRACT_TTLS.reservationTtlMs + 1);
    assert.deepEqual(await a.reserve("r", "c2", 1), { ok: true });
    assert.equal(await a.join("r", "c1", user("ana"), Date.now()), null);
  });

  test("reservations expire one by one, each its TTL after it was made", async (c) => {
    const a = c.node("a");
    const half = CONTRACT_TTLS.reservationTtlMs / 2;
    await a.reserve("r", "early", 2);
    await c.advance(half);
    await a.reserve("r", "late", 2);
    await c.advance(half + 1);
    assert.deepEqual(await a.reserve("r", "third", 2), { ok: true });
    assert.deepEqual(await a.reserve("r", "fourth", 2), { ok: false, taken: 2 });
    assert.equal(await a.join("r", "early", user("ana"), Date.now()), null);
    assert.deepEqual(await a.join("r", "late", user("bob"), Date.now()), { first: true });
  });

  test("entries carry their node's id, and a node's entries expire unless it refreshes them", async (c) => {
    const [a, b] = [c.node("a"), c.node("b")];
    await enter(a, "r", "c1", "ana");
    await enter(b, "r", "c2", "bo");
    const nodes = (await a.entries("r")).map((e) => [e.connectionId, e.node, e.user.id]);
    assert.deepEqual(nodes.toSorted(), [["c1", "a", "ana"], ["c2", "b", "bo"]]);
    await c.advance(CONTRACT_TTLS.entryTtlMs - 1000);
    await a.refresh("r");
    await c.advance(2000);
    assert.deepEqual((await b.entries("r")).map((e) => e.connectionId), ["c1"]);
    assert.deepEqual(await b.count("r"), { members: 1, connections: 1 });
  });

  test("watch() tells other nodes of first joins and last leaves, never the node that made them", async (c) => {
    const [a, b] = [c.node("a"), c.node("b")];
    const [seenA, seenB]: PresenceDiff[][] = [[], []];
    const [listenA, listenB] = [
      (d: PresenceDiff) => seenA.push(d),
      (d: PresenceDiff) => seenB.push(d),
    ];
    await a.watch("r", listenA);
    await b.watch("r", listenB);
    await enter(a, "r", "c1", "ana");
    await enter(a, "r", "c2", "ana");
    await a.leave("r", "c1");
    await a.leave("r", "c2");
    await b.unwatch("r", listenB);
    await enter(a, "r", "c3", "bo");
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.deepEqual(seenA, []);
    assert.deepEqual(seenB, [
      { action: "join", user: user("ana") },
      { action: "leave", user: user("ana") },
    ]);
  });

  test("clear() forgets the room", async (c) => {
    const a = c.node("a");
    await enter(a, "r", "c1", "ana");
    await a.clear("r");
    assert.deepEqual(await a.count("r"), { members: 0, connections: 0 });
  });
}
