import assert from "assert";
import { startServer } from "../_helpers/server.ts";
import { handshake } from "./_handshake.ts";

Deno.test("a server bound to a wildcard address without public origins warns once and accepts no browser", async () => {
  const server = await startServer();
  try {
    // The test server listens on loopback; telling it otherwise exercises the wiring without
    // binding a public address.
    server.roomd.listening({ hostname: "0.0.0.0", port: server.port });
    const warnings = server.logs.map((l) => JSON.parse(l)).filter((l) => l.level === "WARN");
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /Browsers cannot connect: listening on 0\.0\.0\.0/);
    assert.match(warnings[0].message, /ROOMD_PUBLIC_ORIGINS/);
    const token = await server.token({ sub: "ann" });
    const browser = await handshake(server.port, `/ws/lobby?token=${token}`, {
      origin: server.origin,
    });
    assert.deepEqual([browser.status, browser.code], [403, "origin_not_allowed"]);
    const bot = await handshake(server.port, "/ws/lobby", { authorization: `Bearer ${token}` });
    assert.equal(bot.status, 101);
  } finally {
    await server.close();
  }
});

Deno.test("a server bound to a wildcard address with ROOMD_PUBLIC_ORIGINS accepts those and does not warn", async () => {
  const server = await startServer({ ROOMD_PUBLIC_ORIGINS: "https://chat.example" });
  try {
    server.roomd.listening({ hostname: "::", port: server.port });
    const warnings = server.logs.map((l) => JSON.parse(l)).filter((l) => l.level === "WARN");
    assert.deepEqual(warnings, []);
    const token = await server.token({ sub: "ann" });
    const page = await handshake(server.port, `/ws/lobby?token=${token}`, {
      origin: "https://chat.example",
    });
    assert.equal(page.status, 101);
    const loopback = await handshake(server.port, `/ws/lobby?token=${token}`, {
      origin: server.origin,
    });
    assert.deepEqual([loopback.status, loopback.code], [403, "origin_not_allowed"]);
  } finally {
    await server.close();
  }
});
