import assert from "assert";
import { openClient, type TestClient } from "../_helpers/client.ts";
import { startServer, type TestServer, type TestUser } from "../_helpers/server.ts";

async function join(server: TestServer, user: TestUser, ttl: string | number): Promise<TestClient> {
  const token = await server.token(user, ttl);
  const client = await openClient(`ws://127.0.0.1:${server.port}/ws/lobby?token=${token}`, {
    Origin: server.origin,
  });
  await client.next((m) => m.type === "system" && m.data.event === "welcome");
  return client;
}

Deno.test("a refresh with a new token for the same user moves the expiry and answers ack with exp", async () => {
  const server = await startServer();
  try {
    const client = await join(server, { sub: "1" }, 2);
    const fresh = await server.token({ sub: "1", rooms: ["lobby"] }, "1h");
    client.send({ type: "refresh", data: { token: fresh }, ref: "r1" });
    const ack = await client.next((m) => m.type === "ack" && m.ref === "r1");
    assert.ok(Math.abs(ack.data.exp - (Date.now() / 1000 + 3600)) < 60, JSON.stringify(ack));
    // Past the first token's expiry the connection still works.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    client.send({ type: "chat", data: { text: "still here" }, ref: "c1" });
    const reply = await client.next((m) => m.ref === "c1");
    assert.equal(reply.type, "ack");
    await client.close();
  } finally {
    await server.close();
  }
});

Deno.test("a refresh with another user's token gets an error and closes with 4401", async () => {
  const server = await startServer();
  try {
    const client = await join(server, { sub: "1" }, "1h");
    client.send({ type: "refresh", data: { token: await server.token({ sub: "2" }) }, ref: "r1" });
    const error = await client.next((m) => m.type === "error");
    assert.equal(error.ref, "r1");
    assert.equal(error.data.code, "unauthorized");
    assert.match(error.data.message, /another user/);
    assert.equal((await client.waitClosed(5000)).code, 4401);
  } finally {
    await server.close();
  }
});

Deno.test("a refresh with an invalid token gets an error and closes with 4401", async () => {
  const server = await startServer();
  try {
    const client = await join(server, { sub: "1" }, "1h");
    client.send({ type: "refresh", data: { token: "garbage" }, ref: "r1" });
    const error = await client.next((m) => m.type === "error");
    assert.equal(error.data.code, "unauthorized");
    assert.equal((await client.waitClosed(5000)).code, 4401);
  } finally {
    await server.close();
  }
});

Deno.test("a refresh whose rooms claim no longer grants the room gets an error and closes with 4403", async () => {
  const server = await startServer();
  try {
    const client = await join(server, { sub: "1" }, "1h");
    const narrowed = await server.token({ sub: "1", rooms: ["elsewhere"] });
    client.send({ type: "refresh", data: { token: narrowed }, ref: "r1" });
    const error = await client.next((m) => m.type === "error");
    assert.equal(error.data.code, "forbidden");
    assert.equal((await client.waitClosed(5000)).code, 4403);
  } finally {
    await server.close();
  }
});

Deno.test("a refresh without a token is an invalid_message and the connection stays open", async () => {
  const server = await startServer();
  try {
    const client = await join(server, { sub: "1" }, "1h");
    client.send({ type: "refresh", data: {}, ref: "r1" });
    const error = await client.next((m) => m.type === "error");
    assert.equal(error.data.code, "invalid_message");
    client.send({ type: "chat", data: { text: "hi" }, ref: "c1" });
    assert.equal((await client.next((m) => m.ref === "c1")).type, "ack");
    await client.close();
  } finally {
    await server.close();
  }
});
