import assert from "assert";
import { Members } from "../../src/room/members.ts";
import { BackloggedSocket, connectionOver } from "../_fakes/backlogged_socket.ts";

function joined(members: Members, userId: string, connectionId: string) {
  const connection = connectionOver(new BackloggedSocket(), {
    userId,
    connectionId,
    maxQueueBytes: 1 << 20,
  });
  members.add(connection);
  return connection;
}

Deno.test("a room's member count counts each user once, however many connections it holds", () => {
  const members = new Members();
  const ana1 = joined(members, "ana", "c1");
  const ana2 = joined(members, "ana", "c2");
  const bo = joined(members, "bo", "c3");
  assert.equal(members.size, 3);
  assert.equal(members.userCount, 2);
  members.remove(ana1.id);
  assert.equal(members.userCount, 2, "ana still holds a connection");
  members.remove(bo.id);
  assert.equal(members.userCount, 1);
  members.remove(ana2.id);
  assert.equal(members.userCount, 0);
  assert.equal(members.size, 0);
});
