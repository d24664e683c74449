import assert from "assert";
import { openClient, type TestClient } from "../_helpers/client.ts";
import { startServer, type TestServer, upgradeHeaders } from "../_helpers/server.ts";
import { until } from "../_helpers/until.ts";

Deno.test("a binary frame closes the connection at once with 1003 and gets no reply", async () => {
  const server = await startServer();
  try {
    const alice = await server.connect("lobby", "alice");
    await alice.nextOfType("system");
    // One frame: more sent after the server's close could meet a reset and hide its code.
    alice.send(new Uint8Array([1, 2, 3]));
    const closed = await alice.waitClosed();
    assert.equal(closed.code, 1003);
    assert.equal(alice.received.filter((m) => m.type === "error").length, 0);
  } finally {
    await server.close();
  }
});

Deno.test("a binary frame over ROOMD_MAX_MESSAGE_BYTES closes the connection with 1009", async () => {
  const server = await startServer({ ROOMD_MAX_MESSAGE_BYTES: "1024" });
  try {
    const alice = await server.connect("lobby", "alice");
    await alice.nextOfType("system");
    alice.send(new Uint8Array(4096));
    assert.equal((await alice.waitClosed()).code, 1009);
  } finally {
    await server.close();
  }
});

Deno.test("a bystander keeps chatting while another connection sends binary frames", async () => {
  const server = await startServer();
  try {
    const bob = await server.connect("lobby", "bob");
    await bob.nextOfType("system");
    const mallory = await server.connect("lobby", "mallory");
    await mallory.nextOfType("system");
    mallory.send(new Uint8Array(1024));
    assert.equal((await mallory.waitClosed()).code, 1003);
    const carol = await server.connect("lobby", "carol");
    await carol.nextOfType("system");
    carol.send({ type: "chat", data: { text: "still here" } });
    assert.equal((await bob.nextOfType("chat")).data.text, "still here");
    await bob.close();
    await carol.close();
  } finally {
    await server.close();
  }
});

/** Connects as `user` from `ip` (the server trusts `X-Forwarded-For`). */
async function connectFrom(server: TestServer, user: string, ip: string): Promise<TestClient> {
  const token = await server.token({ sub: user, name: user });
  return openClient(`ws://127.0.0.1:${server.port}/ws/lobby?token=${token}`, {
    Origin: server.origin,
    "X-Forwarded-For": ip,
  });
}

/** Whether the server has counted `count` `message_too_large` errors yet. */
function tooLargeCounted(server: TestServer, count: number): () => Promise<boolean> {
  return async () => {
    const text = await (await fetch(`${server.origin}/metrics`)).text();
    const counted = /roomd_errors_total\{code="message_too_large"\} (\d+)/.exec(text);
    return counted !== null && Number(counted[1]) >= count;
  };
}

/** Tries an upgrade as `user` from `ip` without opening a socket; answers a refusal. */
async function refusal(
  server: TestServer,
  user: string,
  ip: string,
): Promise<{ status: number; code?: string; retryAfter: string | null }> {
  const token = await server.token({ sub: user, name: user });
  const response = await fetch(`${server.origin}/ws/lobby?token=${token}`, {
    headers: { ...upgradeHeaders(server.origin), "x-forwarded-for": ip },
  });
  const body = await response.text();
  const code = response.status === 429 ? JSON.parse(body).error.code : undefined;
  return { status: response.status, code, retryAfter: response.headers.get("retry-after") };
}

Deno.test("a client closed with 1009 is refused for a doubling time, by user and by address", async () => {
  const server = await startServer({ ROOMD_MAX_MESSAGE_BYTES: "1024", ROOMD_TRUST_PROXY: "true" });
  try {
    const alice = await connectFrom(server, "alice", "10.0.0.1");
    await alice.nextOfType("system");
    alice.send("x".repeat(2000));
    assert.equal((await alice.waitClosed()).code, 1009);
    // The ws transport refuses the frame from its header and ends the socket a moment later.
    await until(tooLargeCounted(server, 1), "the oversized frame to be counted");

    const sameUser = await refusal(server, "alice", "10.0.0.2");
    assert.deepEqual(sameUser, { status: 429, code: "rate_limited", retryAfter: "1" });
    const sameAddress = await refusal(server, "bob", "10.0.0.1");
    assert.deepEqual(sameAddress, { status: 429, code: "rate_limited", retryAfter: "1" });
    const bob = await connectFrom(server, "bob", "10.0.0.3");
    await bob.nextOfType("system");
    await bob.close();

    await until(
      async () => (await refusal(server, "alice", "10.0.0.4")).status !== 429,
      "the penalty to pass",
    );
    const again = await connectFrom(server, "alice", "10.0.0.1");
    await again.nextOfType("system");
    again.send("x".repeat(2000));
    assert.equal((await again.waitClosed()).code, 1009);
    await until(tooLargeCounted(server, 2), "the second oversized frame to be counted");
    assert.equal((await refusal(server, "alice", "10.0.0.5")).retryAfter, "2");
    assert.ok(server.logs.some((line) => line.includes("a frame over the size limit")));
  } finally {
    await server.close();
  }
});

Deno.test("a message with a lone surrogate is refused with invalid_message and not relayed", async () => {
  const server = await startServer();
  try {
    const alice = await server.connect("lobby", "alice");
    await alice.nextOfType("system");
    const bob = await server.connect("lobby", "bob");
    await bob.nextOfType("system");
    const bad = [
      String.raw`{"type":"chat","data":{"text":"a\ud800b"},"ref":"s1"}`,
      String.raw`{"type":"chat","data":{"text":"\udfff"},"ref":"s2"}`,
      String.raw`{"type":"chat","data":{"text":"ok","\ud800":1},"ref":"s3"}`,
      String.raw`{"type":"chat","data":{"text":"ok"},"ref":"\ud800"}`,
    ];
    for (const frame of bad) {
      alice.send(frame);
      const error = await alice.nextOfType("error");
      assert.equal(error.data.code, "invalid_message", frame);
      assert.match(error.data.message, /well-formed/);
    }
    alice.send(String.raw`{"type":"chat","data":{"text":"\ud83d\ude00"},"ref":"fine"}`);
    assert.equal((await alice.nextOfType("ack")).ref, "fine");
    assert.equal((await bob.nextOfType("chat")).data.text, "😀");
    assert.equal(bob.received.filter((m) => m.type === "chat").length, 1);
    await alice.close();
    await bob.close();
  } finally {
    await server.close();
  }
});
