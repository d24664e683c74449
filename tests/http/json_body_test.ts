import assert from "assert";
import { startServer } from "../_helpers/server.ts";

const ADMIN = { sub: "root", admin: true };

Deno.test("a JSON body needs Content-Type application/json, else 415 unsupported_media_type", async () => {
  const server = await startServer();
  try {
    const token = await server.token(ADMIN);
    const post = async (contentType: string | null, id: string) => {
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (contentType !== null) headers["content-type"] = contentType;
      const res = await fetch(`${server.origin}/api/rooms`, {
        method: "POST",
        headers,
        body: JSON.stringify({ id }),
      });
      return { status: res.status, body: await res.json() };
    };
    for (
      const type of [
        null,
        "text/plain;charset=UTF-8",
        "application/jsonx",
        "application/json; charset=latin1",
      ]
    ) {
      const refused = await post(type, "r1");
      assert.equal(refused.status, 415, String(type));
      assert.equal(refused.body.error.code, "unsupported_media_type");
    }
    assert.equal((await post("application/json", "r1")).status, 201);
    assert.equal((await post('Application/JSON; charset="utf-8"', "r2")).status, 201);
    const patched = await fetch(`${server.origin}/api/rooms/r1`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
      body: JSON.stringify({ name: "x" }),
    });
    assert.equal(patched.status, 415);
    await patched.body?.cancel();
    const published = await fetch(`${server.origin}/api/rooms/r1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({ type: "system", data: {} }),
    });
    assert.equal(published.status, 415);
    await published.body?.cancel();
  } finally {
    await server.close();
  }
});

Deno.test("a body with a lone surrogate or invalid UTF-8 is 400 invalid_body", async () => {
  const server = await startServer();
  try {
    const token = await server.token(ADMIN);
    const post = async (body: BodyInit) => {
      const res = await fetch(`${server.origin}/api/rooms`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body,
      });
      return { status: res.status, body: await res.json() };
    };
    const surrogate = await post(String.raw`{"id":"r1","name":"a\ud800"}`);
    assert.equal(surrogate.status, 400);
    assert.equal(surrogate.body.error.code, "invalid_body");
    assert.match(surrogate.body.error.message, /well-formed/);
    const bytes = new Uint8Array([
      ...new TextEncoder().encode('{"id":"r1","name":"'),
      0xff,
      0x22,
      0x7d,
    ]);
    const invalidUtf8 = await post(bytes);
    assert.equal(invalidUtf8.status, 400);
    assert.equal(invalidUtf8.body.error.code, "invalid_body");
    assert.equal((await post(String.raw`{"id":"r1","name":"\ud83d\ude00"}`)).status, 201);
    assert.equal((await server.store.getRoom("r1"))?.name, "😀");
  } finally {
    await server.close();
  }
});
