/**
 * Which node each load client connects to when the server is a cluster: every room's members
 * and publishers spread evenly over the nodes, so a message published on one node must reach
 * members on the others.
 *
 * @module
 */

/**
 * The node of a room's client. Client `c` of room `r` goes to node `(r + c) mod nodes`: a room's
 * clients take the nodes in turn (their counts differ by at most one), and as the publishers are
 * each room's first clients, the rooms' publishers take the nodes in turn too.
 *
 * @param room The room's index.
 * @param client The client's index within its room (publishers first).
 * @param nodes How many nodes there are (1 or more).
 * @returns The node's index, from 0 to `nodes − 1`.
 *
 * @example Two nodes: room 0's publisher on node 0, room 1's on node 1, members alternating
 * ```ts
 * import assert from "assert";
 * import { nodeOf } from "./_spread.ts";
 * assert.deepEqual([0, 1, 2, 3].map((c) => nodeOf(0, c, 2)), [0, 1, 0, 1]);
 * assert.deepEqual([0, 1, 2, 3].map((c) => nodeOf(1, c, 2)), [1, 0, 1, 0]);
 * ```
 */
export function nodeOf(room: number, client: number, nodes: number): number {
  return (room + client) % nodes;
}
