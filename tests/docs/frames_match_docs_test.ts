import assert from "assert";
import type { Msg } from "../_helpers/client.ts";
import { startServer, type TestServer } from "../_helpers/server.ts";
import { schemaChecker } from "./_validator.ts";

const TYPES = {
  typing: { schema: { type: "object", properties: { on: { type: "boolean" } } }, max_bytes: 64 },
};
const ADMIN = { sub: "root", admin: true };

async function documents(server: TestServer) {
  const asyncapi = await (await server.request("/asyncapi.json")).json();
  const openapi = await (await server.request("/openapi.json")).json();
  const frame = (name: string) => asyncapi.components.messages[`server.${name}`].payload.schema;
  const reply = (path: string, method: string, status: number) => {
    const schema = openapi.paths[path][method].responses[status].content["application/json"].schema;
    const ref = /^#\/components\/schemas\/(\w+)$/.exec(schema.$ref ?? "");
    return ref ? openapi.components.schemas[ref[1]] : schema;
  };
  return { frame, reply };
}

Deno.test("real server frames match the schemas of the served AsyncAPI document", async () => {
  const server = await startServer({}, { types: TYPES });
  const check = schemaChecker();
  try {
    const { frame } = await documents(server);
    const seen: [string, Msg][] = [];
    const ann = await server.connect("lobby", "ann");
    seen.push(["welcome", await ann.nextOfType("system")]);
    const bob = await server.connect("lobby", "bob");
    seen.push(["welcome", await bob.nextOfType("system")]);
    seen.push(["presence", await ann.nextOfType("presence")]);
    ann.send({ type: "chat", data: { text: "hi" }, ref: "c1" });
    seen.push(["ack", await ann.nextOfType("ack")]);
    seen.push(["chat", await bob.nextOfType("chat")]);
    ann.send({ type: "typing", data: { on: true } });
    seen.push(["typing", await bob.nextOfType("typing")]);
    bob.send({ type: "history", data: { limit: 10 }, ref: "h1" });
    seen.push(["history", await bob.nextOfType("history")]);
    bob.send({ type: "nope", data: {}, ref: "x1" });
    seen.push(["error", await bob.nextOfType("error")]);
    bob.send({ type: "chat", data: { text: "" } });
    seen.push(["error", await bob.nextOfType("error")]);
    const published = await server.request("/api/rooms/lobby/messages", {
      method: "POST",
      user: ADMIN,
      body: JSON.stringify({ type: "system", data: { text: "maintenance at noon" } }),
    });
    assert.equal(published.status, 201);
    await published.body?.cancel();
    seen.push(["system", await bob.next((m) => m.type === "system" && m.data.text !== undefined)]);
    const fresh = await server.token({ sub: "bob", name: "bob" });
    bob.send({ type: "refresh", data: { token: fresh }, ref: "r1" });
    seen.push(["ack", await bob.next((m) => m.type === "ack" && m.ref === "r1")]);
    await ann.close();
    seen.push(["presence", await bob.nextOfType("presence")]);
    for (const [name, message] of seen) check(frame(name), message);
    await bob.close();
  } finally {
    await server.close();
  }
});

Deno.test("a frame that drifts from the documented shape fails the check", async () => {
  const server = await startServer();
  const check = schemaChecker();
  try {
    const { frame } = await documents(server);
    const ack = { type: "ack", ref: "c1", id: 3, timestamp: "2026-01-01T00:00:00.000Z" };
    check(frame("ack"), ack);
    assert.throws(() => check(frame("ack"), { ...ack, extra: 1 }), /does not match/);
    assert.throws(() => check(frame("chat"), { type: "chat", data: { text: "x" } }));
  } finally {
    await server.close();
  }
});

Deno.test("real HTTP answers match the schemas of the served OpenAPI document", async () => {
  const server = await startServer();
  const check = schemaChecker();
  try {
    const { reply } = await documents(server);
    const call = async (path: string, init: RequestInit = {}) => {
      const res = await server.request(path, { ...init, user: ADMIN });
      return { status: res.status, body: res.status === 204 ? null : await res.json() };
    };
    const created = await call("/api/rooms", {
      method: "POST",
      body: JSON.stringify({ id: "ops", is_private: true, members: ["ann"], metadata: { a: 1 } }),
    });
    assert.equal(created.status, 201);
    check(reply("/api/rooms", "post", 201), created.body);
    const client = await server.connect("ops", "ann");
    await client.nextOfType("system");
    check(reply("/api/rooms", "get", 200), (await call("/api/rooms")).body);
    check(reply("/api/rooms/{id}", "get", 200), (await call("/api/rooms/ops")).body);
    check(
      reply("/api/rooms/{id}/members", "get", 200),
      (await call("/api/rooms/ops/members")).body,
    );
    const sent = await call("/api/rooms/ops/messages", {
      method: "POST",
      body: JSON.stringify({ type: "system", data: { text: "hello" } }),
    });
    check(reply("/api/rooms/{id}/messages", "post", 201), sent.body);
    check(
      reply("/api/rooms/{id}/messages", "get", 200),
      (await call("/api/rooms/ops/messages")).body,
    );
    check(reply("/api/stats", "get", 200), (await call("/api/stats")).body);
    const missing = await call("/api/rooms/none");
    assert.equal(missing.status, 404);
    check(reply("/api/rooms/{id}", "get", 404), missing.body);
    await client.close();
  } finally {
    await server.close();
  }
});
