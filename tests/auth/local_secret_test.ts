import assert from "assert";
import { join } from "node:path";
import { loadOrCreateSecret } from "../../src/auth/local_secret.ts";

Deno.test("loadOrCreateSecret() creates the directory and a 0600 secret file", async () => {
  const root = await Deno.makeTempDir();
  try {
    const dataDir = join(root, "nested", "data");
    const first = await loadOrCreateSecret(dataDir);
    assert.equal(first.created, true);
    assert.match(first.secret, /^[A-Za-z0-9_-]{43}$/);
    const path = join(dataDir, "jwt-secret");
    assert.equal((await Deno.readTextFile(path)).trim(), first.secret);
    if (Deno.build.os !== "windows") {
      assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("loadOrCreateSecret() reuses the secret on later calls", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const first = await loadOrCreateSecret(dataDir);
    const second = await loadOrCreateSecret(dataDir);
    assert.deepEqual(second, { secret: first.secret, created: false });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("loadOrCreateSecret() makes a different secret for each data directory", async () => {
  const a = await Deno.makeTempDir();
  const b = await Deno.makeTempDir();
  try {
    assert.notEqual((await loadOrCreateSecret(a)).secret, (await loadOrCreateSecret(b)).secret);
  } finally {
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
});

Deno.test("loadOrCreateSecret() reads a hand-written secret and ignores its newline", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dataDir, "jwt-secret"), "my-own-secret-of-20ch\n");
    assert.deepEqual(await loadOrCreateSecret(dataDir), {
      secret: "my-own-secret-of-20ch",
      created: false,
    });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("loadOrCreateSecret() refuses a secret file that is too short", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dataDir, "jwt-secret"), "short\n");
    await assert.rejects(loadOrCreateSecret(dataDir), /holds 5 characters, need at least 16/);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
