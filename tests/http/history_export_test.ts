import assert from "assert";
import { newRoomRecord } from "../../src/room/new_room.ts";
import { startServer, type TestUser } from "../_helpers/server.ts";
import { ADMIN } from "./_room_api.ts";

/** More than two pages of history (a page is at most 200 messages). */
const COUNT = 450;

Deno.test("GET /api/rooms/:id/messages?format=ndjson streams the whole history, one message per line", async (t) => {
  const server = await startServer();
  try {
    assert.ok(await server.store.createRoom(newRoomRecord("lobby", "api", null, 0, {})));
    for (let start = 0; start < COUNT; start += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          server.request("/api/rooms/lobby/messages", {
            method: "POST",
            body: JSON.stringify({ type: "system", data: { n: start + i } }),
            headers: { "content-type": "application/json" },
            user: ADMIN,
          }).then(async (res) => assert.equal(res.status, 201, await res.text()))),
      );
    }
    const exported = async (query: string, headers: Record<string, string> = {}) => {
      const res = await server.request(`/api/rooms/lobby/messages${query}`, {
        user: { sub: "bo" },
        headers,
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/x-ndjson; charset=utf-8");
      const text = await res.text();
      assert.ok(text.endsWith("\n"));
      return text.slice(0, -1).split("\n").map((line) => JSON.parse(line));
    };

    await t.step("every message in id order, as the JSON pages give them", async () => {
      const lines = await exported("?format=ndjson");
      assert.deepEqual(lines.map((m) => m.id), Array.from({ length: COUNT }, (_, i) => i + 1));
      const page = await server.request("/api/rooms/lobby/messages?since=0&limit=200", {
        user: { sub: "bo" },
      });
      assert.deepStrictEqual(lines.slice(0, 200), (await page.json()).messages);
    });
    await t.step("Accept: application/x-ndjson asks for the same export", async () => {
      const lines = await exported("", { accept: "application/x-ndjson" });
      assert.equal(lines.length, COUNT);
    });
    await t.step("since exports only the messages after it", async () => {
      const lines = await exported("?format=ndjson&since=400");
      assert.deepEqual(lines.map((m) => m.id), Array.from({ length: 50 }, (_, i) => i + 401));
    });
  } finally {
    await server.close();
  }
});

Deno.test("the NDJSON export is for the same users as the history", async () => {
  const server = await startServer();
  try {
    const room = newRoomRecord("secret", "api", null, 0, { is_private: true, members: ["member"] });
    assert.ok(await server.store.createRoom(room));
    const status = async (user: TestUser | undefined, path = "secret") => {
      const res = await server.request(`/api/rooms/${path}/messages?format=ndjson`, { user });
      await res.body?.cancel();
      return res.status;
    };
    assert.equal(await status({ sub: "member" }), 200);
    assert.equal(await status({ sub: "anyone" }), 403);
    assert.equal(await status(undefined), 401);
    assert.equal(await status(ADMIN, "missing"), 404);
  } finally {
    await server.close();
  }
});
