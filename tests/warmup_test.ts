import assert from "assert";
import { parseConfig } from "../src/config.ts";
import { warmUp } from "../src/warmup.ts";
import { TEST_TRANSPORT } from "./_helpers/server.ts";

async function entries(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names;
}

for (const store of ["sqlite", "memory"]) {
  Deno.test(`warmUp() joins every synthetic client on a copy with a ${store} store and leaves the data dir alone`, async () => {
    const dataDir = await Deno.makeTempDir({ prefix: "roomd-warmup-test-" });
    try {
      const config = parseConfig({
        ROOMD_DATA_DIR: dataDir,
        ROOMD_STORE: store,
        ROOMD_TRANSPORT: TEST_TRANSPORT,
        ROOMD_JWT_SECRET: "a-secret-the-copy-never-uses",
      });
      const report = await warmUp(config, 45);
      assert.equal(report.joined, 45);
      assert.ok(report.ms > 0);
      assert.deepEqual(await entries(dataDir), [], "the copy wrote nothing into the data dir");
    } finally {
      await Deno.remove(dataDir, { recursive: true });
    }
  });
}

Deno.test("warmUp() does nothing for 0 clients or when the connection limit leaves it no room", async () => {
  assert.deepEqual(await warmUp(parseConfig({ ROOMD_STORE: "memory" }), 0), { joined: 0, ms: 0 });
  const tiny = parseConfig({ ROOMD_STORE: "memory", ROOMD_MAX_CONNECTIONS: "5" });
  assert.deepEqual(await warmUp(tiny, 100), { joined: 0, ms: 0 });
});

Deno.test("warmUp() puts room-sized waves through a small connection limit", async () => {
  const config = parseConfig({
    ROOMD_STORE: "memory",
    ROOMD_MAX_CONNECTIONS: "12",
    ROOMD_TRANSPORT: TEST_TRANSPORT,
  });
  assert.equal((await warmUp(config, 30)).joined, 30, "rooms of 2 at a time, 15 of them");
});

Deno.test("warmUp() fills its rooms whatever room capacity the operator set by default", async () => {
  const config = parseConfig({
    ROOMD_STORE: "memory",
    ROOMD_DEFAULT_MAX_CLIENTS: "5",
    ROOMD_TRANSPORT: TEST_TRANSPORT,
  });
  assert.equal((await warmUp(config, 40)).joined, 40, "two rooms of 20, not of 5");
});
