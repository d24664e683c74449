import assert from "assert";
import { startServer, type TestServer, type TestUser, upgradeHeaders } from "../_helpers/server.ts";
import { ADMIN } from "../http/_room_api.ts";

/** Tries to join with an upgrade-looking fetch and returns the refusal (status and code). */
async function refusal(server: TestServer, room: string, user: TestUser) {
  const token = await server.token(user);
  const res = await fetch(`${server.origin}/ws/${room}?token=${token}`, {
    headers: upgradeHeaders(server.origin),
  });
  assert.notEqual(res.status, 101, `${user.sub} was admitted to ${room}`);
  const body = await res.json();
  return {
    status: res.status,
    code: body.error.code as string,
    message: body.error.message as string,
  };
}

Deno.test("a private room admits its members, its creator and admins, and refuses others with 403", async (t) => {
  const server = await startServer({ ROOMD_USERS_CAN_CREATE_ROOMS: "true" });
  try {
    const created = await server.request("/api/rooms", {
      method: "POST",
      user: { sub: "ann" },
      body: JSON.stringify({ id: "vault", is_private: true, members: ["bob", "cy"] }),
    });
    assert.equal(created.status, 201);

    await t.step("the creator, a member and an admin get in", async () => {
      const ann = await server.connect("vault", { sub: "ann", name: "Ann" });
      assert.equal((await ann.nextOfType("system")).data.room.is_private, true);
      const bob = await server.connect("vault", { sub: "bob", name: "Bob" });
      await bob.nextOfType("system");
      const admin = await server.connect("vault", ADMIN);
      const welcome = await admin.nextOfType("system");
      assert.deepEqual(welcome.data.members.map((m: { id: string }) => m.id).sort(), [
        "admin",
        "ann",
        "bob",
      ]);
      await Promise.all([ann.close(), bob.close(), admin.close()]);
    });

    await t.step("anyone else is refused before the upgrade with 403 forbidden", async () => {
      const refused = await refusal(server, "vault", { sub: "dan" });
      assert.equal(refused.status, 403);
      assert.equal(refused.code, "forbidden");
      assert.equal(refused.message, 'Cannot join room "vault": room is private');
      await assert.rejects(server.connect("vault", "dan"));
    });

    await t.step(
      "a user named in members but whose token does not grant the room is refused",
      async () => {
        const refused = await refusal(server, "vault", { sub: "cy", rooms: ["elsewhere"] });
        assert.equal(refused.status, 403);
        assert.equal(refused.code, "forbidden");
      },
    );

    await t.step("a public room admits anyone", async () => {
      const dan = await server.connect("square", "dan");
      await dan.nextOfType("system");
      await dan.close();
    });
  } finally {
    await server.close();
  }
});
