import assert from "assert";
import { mintToken } from "../src/auth/mint.ts";
import { openClient } from "./_helpers/client.ts";
import {
  type ChildServer,
  followServerOutput,
  startChild,
  stopChild,
} from "./_helpers/child_server.ts";
import { TEST_SECRET } from "./_helpers/server.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** Joins the child's `lobby` with a token from its own origin and reads the welcome. */
async function joinLobby(child: ChildServer, token: string) {
  const client = await openClient(
    `ws://127.0.0.1:${child.port}/ws/lobby?token=${token}`,
    { Origin: child.origin },
  );
  return { client, welcome: await client.nextOfType("system") };
}

async function withDataDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "roomd-main-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const signals of [["SIGTERM"], ["SIGINT", "SIGINT"]] as Deno.Signal[][]) {
  Deno.test(`main.ts drains on ${signals.join(" + ")}: clients get 1001 and the process exits 0`, async () => {
    await withDataDir(async (dir) => {
      const child = await startChild({ ROOMD_DATA_DIR: dir });
      try {
        const token = await mintToken(TEST_SECRET, { sub: "1" }, "1h");
        const { client } = await joinLobby(child, token);
        client.send({ type: "chat", data: { text: "before shutdown" }, ref: "a" });
        await client.nextOfType("ack");
        for (const signal of signals) child.kill(signal);
        assert.equal((await client.waitClosed()).code, 1001);
        const status = await child.exited;
        assert.equal(status.code, 0, child.lines.join("\n"));
        assert.ok(child.lines.some((l) => l.includes("roomd stopped")));
      } finally {
        await stopChild(child);
      }
    });
  });
}

Deno.test("main.ts stops with one clear line and exit code 1 on a bad configuration value", async () => {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN],
    env: { PORT: "eighty", ROOMD_LOG_FORMAT: "json" },
    stdout: "null",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stderr).trim();
  assert.equal(code, 1);
  assert.equal(text.split("\n").length, 1, text);
  assert.match(text, /PORT/);
});

Deno.test("main.ts reads --config FILE and rejects an unknown key with one line", async () => {
  await withDataDir(async (dir) => {
    const file = `${dir}/roomd.json`;
    await Deno.writeTextFile(file, JSON.stringify({ ROOMD_HISTORY_SIZE: 5, NOPE: 1 }));
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "--config", file],
      env: { ROOMD_DATA_DIR: dir },
      stdout: "null",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stderr).trim();
    assert.equal(code, 1);
    assert.match(text, /unknown key "NOPE"/);
  });
});

Deno.test("deno task start survives a process-group Ctrl-C (the signal arrives twice) and drains", async () => {
  await withDataDir(async (dir) => {
    const child = new Deno.Command("setsid", {
      args: [Deno.execPath(), "task", "--cwd", new URL("..", import.meta.url).pathname, "start"],
      env: {
        PORT: "0",
        ROOMD_DATA_DIR: dir,
        ROOMD_JWT_SECRET: TEST_SECRET,
        ROOMD_LOG_FORMAT: "json",
      },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const { lines, port, done } = followServerOutput(child.stderr);
    try {
      const p = await port;
      const token = await mintToken(TEST_SECRET, { sub: "1" }, "1h");
      const client = await openClient(`ws://127.0.0.1:${p}/ws/lobby?token=${token}`, {
        Origin: `http://127.0.0.1:${p}`,
      });
      await client.nextOfType("system");
      Deno.kill(-child.pid, "SIGINT");
      assert.equal((await client.waitClosed()).code, 1001);
      const status = await child.status;
      await done;
      assert.equal(status.code, 0, lines.join("\n"));
      assert.ok(lines.some((l) => l.includes("roomd stopped")), lines.join("\n"));
    } finally {
      try {
        Deno.kill(-child.pid, "SIGKILL");
      } catch { /* already gone */ }
      await child.status;
    }
  });
});

Deno.test("without ROOMD_JWT_SECRET the server makes a local secret that deno task token signs with", async () => {
  await withDataDir(async (dir) => {
    const child = await startChild({ ROOMD_DATA_DIR: dir, ROOMD_JWT_SECRET: "" });
    try {
      const info = await Deno.stat(`${dir}/jwt-secret`);
      assert.equal(info.mode! & 0o777, 0o600);
      assert.ok(child.lines.some((l) => l.includes("local JWT secret")));
      const minted = await new Deno.Command(Deno.execPath(), {
        args: [
          "task",
          "--cwd",
          new URL("..", import.meta.url).pathname,
          "token",
          "--sub",
          "7",
          "--name",
          "zoe",
        ],
        env: { ROOMD_DATA_DIR: dir, ROOMD_JWT_SECRET: "" },
        stdout: "piped",
        stderr: "null",
      }).output();
      const token = new TextDecoder().decode(minted.stdout).trim();
      const { client, welcome } = await joinLobby(child, token);
      assert.deepEqual(welcome.data.members, [{ id: "7", name: "zoe" }]);
      await client.close();
    } finally {
      await stopChild(child);
    }
  });
});

/** Runs main.ts to its exit and returns its code and stderr lines. */
async function runToExit(env: Record<string, string>, args: string[] = []) {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { PORT: "0", ROOMD_LOG_FORMAT: "json", ...env },
    clearEnv: true,
    stdout: "null",
    stderr: "piped",
  }).output();
  const lines = new TextDecoder().decode(stderr).trim().split("\n");
  return { code, lines };
}

Deno.test("main.ts start-up errors exit 1 with one line, no stack trace and no secret", async (t) => {
  await withDataDir(async (dir) => {
    const secret = "0123456789abcdef0123";
    const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const types = `${dir}/types.json`;
    await Deno.writeTextFile(types, JSON.stringify({ types: { x: { schema: { type: "nope" } } } }));
    const notADir = `${dir}/file`;
    await Deno.writeTextFile(notADir, "");
    const cases: Array<[string, Record<string, string>, string[], RegExp]> = [
      [
        "a short secret",
        { ROOMD_JWT_SECRET: "shortsecret" },
        [],
        /^roomd: Invalid ROOMD_JWT_SECRET: /,
      ],
      [
        "an unusable public key",
        { ROOMD_JWT_PUBLIC_KEY: "garbage" },
        [],
        /^roomd: Cannot create token verifier: the public key is neither/,
      ],
      [
        "a secret and a public key",
        { ROOMD_JWT_SECRET: secret, ROOMD_JWT_PUBLIC_KEY: "garbage" },
        [],
        /^roomd: Invalid ROOMD_JWT_PUBLIC_KEY: set only one of ROOMD_JWT_SECRET, /,
      ],
      [
        "an invalid JSON Schema in types",
        { ROOMD_JWT_SECRET: secret },
        ["--config", types],
        /^roomd: Invalid config file: types\.x\.schema: schema is invalid/,
      ],
      [
        "a data dir that is a file (local secret)",
        { ROOMD_DATA_DIR: notADir },
        [],
        /^roomd: Cannot read JWT secret file .*Not a directory/,
      ],
      [
        "a data dir that is a file (store)",
        { ROOMD_DATA_DIR: notADir, ROOMD_JWT_SECRET: secret },
        [],
        /^roomd: Cannot create data directory /,
      ],
      [
        "a port in use",
        { ROOMD_JWT_SECRET: secret, PORT: String(busy.addr.port), HOST: "127.0.0.1" },
        [],
        /^roomd: Cannot listen on 127\.0\.0\.1:\d+: Address already in use/,
      ],
    ];
    try {
      for (const [name, env, args, expected] of cases) {
        await t.step(name, async () => {
          const { code, lines } = await runToExit({ ROOMD_DATA_DIR: dir, ...env }, args);
          assert.equal(code, 1, lines.join("\n"));
          const last = lines.at(-1)!;
          assert.match(last, expected);
          assert.ok(!lines.some((l) => /^\s+at |Uncaught|error:/.test(l)), lines.join("\n"));
          assert.ok(lines.slice(0, -1).every((l) => l.startsWith("{")), lines.join("\n"));
          assert.ok(!lines.some((l) => l.includes("Warmed up")), "refused before the warm-up");
          const secrets = Object.entries(env).filter(([k]) => /SECRET|TOKEN/.test(k));
          for (const [, value] of secrets) assert.ok(!lines.join("\n").includes(value));
        });
      }
    } finally {
      busy.close();
    }
  });
});

Deno.test("main.ts warms up on a throwaway copy before it listens, and the copy leaves no trace", async () => {
  await withDataDir(async (dir) => {
    const tmp = await Deno.makeTempDir({ prefix: "roomd-main-tmp-" });
    const child = await startChild(
      { ROOMD_DATA_DIR: dir, ROOMD_WARMUP_CLIENTS: "120", TMPDIR: tmp },
      30_000,
    );
    try {
      const warmed = child.lines.findIndex((l) => l.includes("Warmed up with 120 of 120"));
      const listening = child.lines.findIndex((l) => l.includes("listening on"));
      assert.ok(warmed >= 0 && warmed < listening, child.lines.join("\n"));
      assert.deepEqual([...Deno.readDirSync(tmp)], [], "the copy's store is gone");
      const admin = await mintToken(TEST_SECRET, { sub: "root", admin: true }, "1h");
      const rooms = await fetch(`${child.origin}/api/rooms`, {
        headers: { Authorization: `Bearer ${admin}` },
      });
      assert.deepEqual((await rooms.json()).rooms, [], "no synthetic room in the real store");
      const token = await mintToken(TEST_SECRET, { sub: "1", name: "ann" }, "1h");
      const { client, welcome } = await joinLobby(child, token);
      assert.deepEqual(welcome.data.members, [{ id: "1", name: "ann" }]);
      await client.close();
    } finally {
      await stopChild(child);
      await Deno.remove(tmp, { recursive: true });
    }
  });
});

Deno.test("main.ts under a 128-descriptor limit warms up as far as it can and then serves", async () => {
  await withDataDir(async (dir) => {
    const child = await startChild(
      { ROOMD_DATA_DIR: dir, ROOMD_WARMUP_CLIENTS: "300" },
      30_000,
      [],
      ["prlimit", "--nofile=128:128"],
    );
    try {
      const warmed = child.lines.find((l) => l.includes("Warmed up with"));
      assert.ok(warmed !== undefined && JSON.parse(warmed).joined > 0, child.lines.join("\n"));
      const token = await mintToken(TEST_SECRET, { sub: "1" }, "1h");
      const { client } = await joinLobby(child, token);
      await client.close();
    } finally {
      await stopChild(child);
    }
  });
});

Deno.test("main.ts skips the warm-up when Deno traces requests (OTEL_DENO=true)", async () => {
  await withDataDir(async (dir) => {
    const child = await startChild({
      ROOMD_DATA_DIR: dir,
      ROOMD_WARMUP_CLIENTS: "50",
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9",
    });
    try {
      assert.ok(child.lines.some((l) => l.includes("No warm-up")), child.lines.join("\n"));
      assert.ok(!child.lines.some((l) => l.includes("Warmed up")));
    } finally {
      await stopChild(child);
    }
  });
});
