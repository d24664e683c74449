import assert from "assert";
import { BackloggedSocket, connectionOver } from "../_fakes/backlogged_socket.ts";

Deno.test("Connection.send() closes with 4408 at the first send that takes the backlog past the cap", () => {
  const socket = new BackloggedSocket();
  let slow = 0;
  const connection = connectionOver(socket, { maxQueueBytes: 1024, onSlow: () => slow++ });
  const frame = "x".repeat(100);
  for (let i = 0; i < 10; i++) assert.ok(connection.send(frame));
  assert.equal(socket.closeCode, null);
  assert.ok(connection.send(frame));
  assert.equal(socket.closeCode, 4408);
  assert.equal(slow, 1);
  assert.equal(connection.send(frame), false);
  assert.equal(socket.received.length, 11);
  assert.equal(slow, 1);
});

Deno.test("Connection.send() reads bufferedAmount only when the bytes sent since could pass the cap", () => {
  const socket = new BackloggedSocket();
  const connection = connectionOver(socket, { maxQueueBytes: 1000 });
  const frame = "é".repeat(50);
  for (let i = 0; i < 100; i++) {
    connection.send(frame);
    socket.drainTo();
  }
  assert.equal(socket.received.length, 100);
  assert.equal(socket.closeCode, null);
  assert.equal(socket.backlogReads, 10);
});

Deno.test("Connection.send() sees a backlog present before its first send", () => {
  const socket = new BackloggedSocket(5000);
  let slow = 0;
  const connection = connectionOver(socket, { maxQueueBytes: 4096, onSlow: () => slow++ });
  assert.ok(connection.send("{}"));
  assert.equal(socket.closeCode, 4408);
  assert.equal(slow, 1);
});
