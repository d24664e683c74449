/**
 * The behaviour every {@linkcode RoomControl} engine must have, as one suite each engine's test
 * file registers with its own factory. A factory opens a "cluster": one shared backend and as
 * many nodes over it as a test asks for.
 *
 * @module
 */
import assert from "assert";
import type { RoomChange, RoomControl } from "../../src/control/room_control.ts";
import type { RoomRecord } from "../../src/store/types.ts";
import { until } from "../_helpers/until.ts";

/** Nodes over one shared backend. */
export interface ControlCluster {
  /** A node with this id over the shared backend. */
  node(nodeId: string): RoomControl;
  /** Closes every node and the backend. */
  close(): Promise<void>;
}

const record = (id: string, isPrivate: boolean): RoomRecord => ({
  id,
  name: id,
  created_at: "2026-01-02T03:04:05.000Z",
  created_by: "ana",
  max_clients: 10,
  is_private: isPrivate,
  members: ["ana"],
  metadata: { topic: "x" },
  ttl_s: null,
  origin: "api",
  epoch: "e1",
  msg_rate: 5,
  msg_burst: null,
  presence: "full",
  empty_since: null,
});

/**
 * Registers the contract tests of a room-control engine.
 *
 * @param name The engine's name, the prefix of every test name (e.g. `LocalControl`).
 * @param open Opens an empty cluster.
 */
export function controlContract(
  name: string,
  open: () => ControlCluster | Promise<ControlCluster>,
): void {
  const test = (title: string, body: (cluster: ControlCluster) => Promise<void>): void => {
    Deno.test(`${name}.${title}`, async () => {
      const cluster = await open();
      try {
        await body(cluster);
      } finally {
        await cluster.close();
      }
    });
  };

  test("announce() tells the other nodes that watch the room, never the announcer", async (c) => {
    const [a, b, other] = [c.node("a"), c.node("b"), c.node("c")];
    const [seenA, seenB, seenOther]: RoomChange[][] = [[], [], []];
    await a.watch("r", (change) => seenA.push(change));
    await b.watch("r", (change) => seenB.push(change));
    await other.watch("elsewhere", (change) => seenOther.push(change));
    await a.announce("r", record("r", true));
    await until(() => seenB.length === 1, "b told of a's change");
    await b.announce("r", null);
    // What reaches a after b's change was announced before it: a's own would be here by now.
    await until(() => seenA.length === 1, "a told of b's deletion");
    assert.deepEqual(seenA, [null]);
    assert.deepEqual(seenB, [record("r", true)]);
    assert.deepEqual(seenOther, []);
  });

  test("unwatch() stops telling that listener, and only it", async (c) => {
    const [a, b] = [c.node("a"), c.node("b")];
    const [kept, dropped]: RoomChange[][] = [[], []];
    const drop = (change: RoomChange) => dropped.push(change);
    await b.watch("r", (change) => kept.push(change));
    await b.watch("r", drop);
    await b.unwatch("r", drop);
    await a.announce("r", record("r", false));
    await until(() => kept.length === 1, "the kept listener told");
    assert.deepEqual(kept, [record("r", false)]);
    assert.deepEqual(dropped, []);
  });
}
