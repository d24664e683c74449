import assert from "assert";
import { rootLogger } from "../../src/log.ts";
import { Connection } from "../../src/ws/connection.ts";
import { MessageLimiter } from "../../src/ws/message_limiter.ts";
import { TokenBucket } from "../../src/ws/token_bucket.ts";
import type { Socket } from "../../src/ws/socket.ts";

/** A socket whose backlog grows by every frame and shrinks only when `drain` is called. */
class BackloggedSocket implements Socket {
  readyState = 1;
  closeCode: number | null = null;
  sent = 0;
  backlogReads = 0;
  #backlog = 0;

  get bufferedAmount(): number {
    this.backlogReads++;
    return this.#backlog;
  }

  set backlog(bytes: number) {
    this.#backlog = bytes;
  }

  send(data: string): void {
    this.sent++;
    this.#backlog += new TextEncoder().encode(data).length;
  }

  close(code = 1000): void {
    this.closeCode = code;
    this.readyState = 3;
  }

  drain(): void {
    this.#backlog = 0;
  }
}

function connectionOver(socket: Socket, maxQueueBytes: number, onSlow: () => void): Connection {
  const rate = { rate: 1000, burst: 1000 };
  return new Connection({
    id: "c1",
    principal: { id: "u", name: "u", rooms: null, admin: false, expiresAt: Infinity },
    roomId: "r",
    ip: "127.0.0.1",
    socket,
    maxQueueBytes,
    limiter: new MessageLimiter(rate, () => new TokenBucket(rate.rate, rate.burst)),
    log: rootLogger(),
    onSlowConsumer: onSlow,
  });
}

Deno.test("Connection.send() closes with 4408 at the first send that takes the backlog past the cap", () => {
  const socket = new BackloggedSocket();
  let slow = 0;
  const connection = connectionOver(socket, 1024, () => slow++);
  const frame = "x".repeat(100);
  for (let i = 0; i < 10; i++) assert.ok(connection.send(frame));
  assert.equal(socket.closeCode, null);
  assert.ok(connection.send(frame));
  assert.equal(socket.closeCode, 4408);
  assert.equal(slow, 1);
  assert.equal(connection.send(frame), false);
  assert.equal(socket.sent, 11);
  assert.equal(slow, 1);
});

Deno.test("Connection.send() reads bufferedAmount only when the bytes sent since could pass the cap", () => {
  const socket = new BackloggedSocket();
  const connection = connectionOver(socket, 1000, () => {});
  const frame = "é".repeat(50);
  for (let i = 0; i < 100; i++) {
    connection.send(frame);
    socket.drain();
  }
  assert.equal(socket.sent, 100);
  assert.equal(socket.closeCode, null);
  assert.equal(socket.backlogReads, 10);
});

Deno.test("Connection.send() sees a backlog present before its first send", () => {
  const socket = new BackloggedSocket();
  socket.backlog = 5000;
  let slow = 0;
  const connection = connectionOver(socket, 4096, () => slow++);
  assert.ok(connection.send("{}"));
  assert.equal(socket.closeCode, 4408);
  assert.equal(slow, 1);
});
