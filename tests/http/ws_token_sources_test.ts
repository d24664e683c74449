import assert from "assert";
import { openClient } from "../_helpers/client.ts";
import { startServer, upgradeHeaders } from "../_helpers/server.ts";

Deno.test("a browser may send its token in the roomd.token. subprotocol and gets roomd selected", async () => {
  const server = await startServer();
  try {
    const token = await server.token({ sub: "ann", name: "Ann" });
    const client = await openClient(`ws://127.0.0.1:${server.port}/ws/lobby`, {
      Origin: server.origin,
    }, ["roomd", `roomd.token.${token}`]);
    assert.equal(client.socket.protocol, "roomd");
    const welcome = await client.nextOfType("system");
    assert.equal(welcome.data.event, "welcome");
    await client.close();
  } finally {
    await server.close();
  }
});

Deno.test("token sources: only the Authorization header may come without an Origin", async (t) => {
  const server = await startServer();
  const token = await server.token({ sub: "ann" });
  const refusal = async (path: string, headers: Record<string, string>) => {
    const res = await fetch(`${server.origin}${path}`, { headers });
    const body = await res.json();
    return { status: res.status, code: body.error?.code as string };
  };
  try {
    await t.step("?token= without an Origin → 403 origin_not_allowed", async () => {
      const r = await refusal(`/ws/lobby?token=${token}`, upgradeHeaders(null));
      assert.deepEqual(r, { status: 403, code: "origin_not_allowed" });
    });
    await t.step("the subprotocol token without an Origin → 403 origin_not_allowed", async () => {
      const r = await refusal("/ws/lobby", {
        ...upgradeHeaders(null),
        "sec-websocket-protocol": `roomd, roomd.token.${token}`,
      });
      assert.deepEqual(r, { status: 403, code: "origin_not_allowed" });
    });
    await t.step(
      "the Authorization header with a foreign Origin → 403 origin_not_allowed",
      async () => {
        const r = await refusal("/ws/lobby", {
          ...upgradeHeaders("http://evil.example"),
          authorization: `Bearer ${token}`,
        });
        assert.deepEqual(r, { status: 403, code: "origin_not_allowed" });
      },
    );
    await t.step("a token subprotocol without roomd offered → 400 bad_upgrade", async () => {
      const r = await refusal("/ws/lobby", {
        ...upgradeHeaders(server.origin),
        "sec-websocket-protocol": `roomd.token.${token}`,
      });
      assert.deepEqual(r, { status: 400, code: "bad_upgrade" });
    });
    await t.step("the ?token= query keeps working from an allowed origin", async () => {
      const client = await server.connect("lobby", "ann");
      assert.equal((await client.nextOfType("system")).data.event, "welcome");
      assert.equal(client.socket.protocol, "");
      await client.close();
    });
  } finally {
    await server.close();
  }
});
