import assert from "assert";
import { nodeOf } from "../../bench/_spread.ts";

function perNode(room: number, clients: number, nodes: number): number[] {
  const counts = new Array(nodes).fill(0);
  for (let c = 0; c < clients; c++) counts[nodeOf(room, c, nodes)]++;
  return counts;
}

Deno.test("nodeOf() puts every client on the one node there is", () => {
  assert.deepEqual(perNode(3, 100, 1), [100]);
});

Deno.test("nodeOf() spreads each room's 100 clients evenly over two and three nodes", () => {
  for (let room = 0; room < 10; room++) {
    assert.deepEqual(perNode(room, 100, 2), [50, 50]);
    const three = perNode(room, 100, 3);
    assert.ok(Math.max(...three) - Math.min(...three) <= 1, `room ${room}: ${three}`);
  }
});

Deno.test("nodeOf() gives the rooms' publishers to the nodes in turn, apart from their members", () => {
  const publishers = Array.from({ length: 10 }, (_, room) => nodeOf(room, 0, 2));
  assert.equal(publishers.filter((n) => n === 0).length, 5);
  for (let room = 0; room < 10; room++) {
    const receivers = Array.from({ length: 99 }, (_, i) => nodeOf(room, i + 1, 2));
    assert.ok(receivers.some((n) => n !== publishers[room]), `room ${room} has remote members`);
  }
});
