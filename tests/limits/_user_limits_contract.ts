/**
 * The behaviour every {@linkcode UserLimits} engine must have, as one suite each engine's test
 * file registers with its own factory. A factory opens a "cluster": one shared backend and as
 * many nodes over it as a test asks for (the in-process engine is one node: every id gives the
 * same instance), with a clock the test moves.
 *
 * @module
 */
import assert from "assert";
import { JOIN_WINDOW_MS } from "../../src/limits/join_limiter.ts";
import type { UserLimits, UserLimitSettings } from "../../src/limits/user_limits.ts";

/** Nodes over one shared backend. */
export interface UserLimitsCluster {
  /** A node with this id over the shared backend. */
  node(nodeId: string): UserLimits;
  /** Moves the clock on by `ms`. */
  advance(ms: number): void;
  /** Closes every node and the backend. */
  close(): Promise<void>;
}

/** The settings every factory opens its engine with. */
export const CONTRACT_LIMITS: UserLimitSettings = { maxConnectionsPerUser: 2, joinRate: 3 };

/**
 * Registers the contract tests of a per-user limits engine.
 *
 * @param name The engine's name, the prefix of every test name (e.g. `LocalUserLimits`).
 * @param open Opens an empty cluster with {@linkcode CONTRACT_LIMITS}.
 */
export function userLimitsContract(
  name: string,
  open: () => UserLimitsCluster | Promise<UserLimitsCluster>,
): void {
  const test = (title: string, body: (cluster: UserLimitsCluster) => Promise<void>): void => {
    Deno.test(`${name}.${title}`, async () => {
      const cluster = await open();
      try {
        await body(cluster);
      } finally {
        await cluster.close();
      }
    });
  };
  const full = { ok: false, reason: "limit", held: 2, limit: 2 };

  test("acquire() refuses a user's connection over the limit on every node together", async (c) => {
    const [a, b] = [c.node("a"), c.node("b")];
    assert.deepEqual(await a.acquire("ana", "c1"), { ok: true });
    assert.deepEqual(await b.acquire("ana", "c2"), { ok: true });
    assert.deepEqual(await b.acquire("ana", "c3"), full);
    assert.deepEqual(await a.acquire("ana", "c3"), full);
    assert.deepEqual(await a.acquire("bo", "c4"), { ok: true }, "another user has their own");
  });

  test("release() frees the slot once; a slot not held is ignored", async (c) => {
    const [a, b] = [c.node("a"), c.node("b")];
    await a.acquire("ana", "c1");
    await b.acquire("ana", "c2");
    await a.release("ana", "c1");
    await a.release("ana", "c1");
    await a.release("ana", "nothing");
    assert.deepEqual(await b.acquire("ana", "c3"), { ok: true });
    assert.deepEqual(await a.acquire("ana", "c4"), full);
  });

  test("check() answers what acquire() would, without taking a slot", async (c) => {
    const a = c.node("a");
    await a.acquire("ana", "c1");
    assert.deepEqual(await a.check("ana"), { ok: true });
    assert.deepEqual(await a.check("ana"), { ok: true });
    await a.acquire("ana", "c2");
    assert.deepEqual(await a.check("ana"), full);
  });

  test("attemptJoin() allows the rate per window on every node together, then says how long to wait", async (c) => {
    const [a, b] = [c.node("a"), c.node("b")];
    assert.deepEqual(await a.attemptJoin("ana"), { ok: true });
    assert.deepEqual(await b.attemptJoin("ana"), { ok: true });
    assert.deepEqual(await a.attemptJoin("ana"), { ok: true });
    const wait = Math.ceil(JOIN_WINDOW_MS / CONTRACT_LIMITS.joinRate / 1000);
    assert.deepEqual(await b.attemptJoin("ana"), { ok: false, reason: "rate", retryAfterS: wait });
    assert.deepEqual(await b.attemptJoin("bo"), { ok: true }, "another user has their own");
    c.advance(Math.ceil(JOIN_WINDOW_MS / CONTRACT_LIMITS.joinRate));
    assert.deepEqual(await b.attemptJoin("ana"), { ok: true }, "one attempt refilled");
    assert.equal((await a.attemptJoin("ana")).ok, false);
  });

  test("peekJoin() answers what attemptJoin() would, without counting an attempt", async (c) => {
    const [a, b] = [c.node("a"), c.node("b")];
    for (let i = 0; i < 5; i++) assert.deepEqual(await a.peekJoin("ana"), { ok: true });
    for (let i = 0; i < 3; i++) await b.attemptJoin("ana");
    assert.equal((await a.peekJoin("ana")).ok, false);
  });
}
