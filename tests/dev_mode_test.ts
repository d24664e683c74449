import assert from "assert";
import { startChild, stopChild } from "./_helpers/child_server.ts";
import { until } from "./_helpers/until.ts";

const TOKEN_LINE = /admin token for \w+: ([\w.-]+)\)/;

Deno.test("with ROOMD_DEV=true, start-up logs a working admin token and dev tokens exist", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-dev-" });
  const server = await startChild({ ROOMD_DATA_DIR: dataDir, ROOMD_DEV: "true" }, 30_000);
  try {
    await until(() => server.lines.some((l) => TOKEN_LINE.test(l)), "the admin token", 10_000);
    const token = TOKEN_LINE.exec(server.lines.find((l) => TOKEN_LINE.test(l))!)![1];
    const stats = await fetch(`${server.origin}/api/stats`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(stats.status, 200);
    await stats.body?.cancel();
    const dev = await fetch(`${server.origin}/api/dev/token`, {
      method: "POST",
      headers: { origin: server.origin, "content-type": "application/json" },
      body: JSON.stringify({ name: "ann" }),
    });
    assert.equal(dev.status, 201);
    await dev.body?.cancel();
  } finally {
    await stopChild(server);
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("without ROOMD_DEV, no admin token is logged and there are no dev tokens", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "roomd-dev-" });
  const server = await startChild({ ROOMD_DATA_DIR: dataDir }, 30_000);
  try {
    const dev = await fetch(`${server.origin}/api/dev/token`, {
      method: "POST",
      headers: { origin: server.origin, "content-type": "application/json" },
      body: JSON.stringify({ name: "ann" }),
    });
    assert.equal(dev.status, 404);
    await dev.body?.cancel();
    assert.ok(!server.lines.some((l) => /admin token|Dev mode/.test(l)), server.lines.join("\n"));
  } finally {
    await stopChild(server);
    await Deno.remove(dataDir, { recursive: true });
  }
});
