import assert from "assert";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { decodeJwt } from "jose";
import { parseConfig } from "../../src/config.ts";
import { runTokenCli, type TokenCliDeps } from "../../src/auth/token_cli.ts";
import { createTokenVerifier } from "../../src/auth/verifier.ts";
import { loadOrCreateSecret } from "../../src/auth/local_secret.ts";

const SECRET = "cli-secret-0123456789abcdef";
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function withEnv(env: Record<string, string>): TokenCliDeps {
  return { loadConfig: () => Promise.resolve(parseConfig(env)) };
}

Deno.test("runTokenCli() mints a token that verifies with ROOMD_JWT_SECRET", async () => {
  const args = [
    "--sub",
    "42",
    "--name",
    "alice",
    "--admin",
    "--rooms",
    "a, team-1:*",
    "--ttl",
    "2h",
  ];
  const result = await runTokenCli(args, withEnv({ ROOMD_JWT_SECRET: SECRET }));
  assert.ok(result.ok);
  assert.equal(result.notice, undefined);
  const verified = await (await createTokenVerifier({ secret: SECRET })).verify(result.token);
  assert.ok(verified.ok);
  assert.equal(verified.principal.id, "42");
  assert.equal(verified.principal.name, "alice");
  assert.equal(verified.principal.admin, true);
  assert.deepEqual(verified.principal.rooms, ["a", "team-1:*"]);
  const { iat, exp } = decodeJwt(result.token);
  assert.equal(exp, iat! + 7200);
});

Deno.test("runTokenCli() uses the data directory's secret, as the server would", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    const deps = withEnv({ ROOMD_DATA_DIR: dataDir });
    const first = await runTokenCli(["--sub", "7"], deps);
    assert.ok(first.ok);
    assert.match(first.notice ?? "", /Created a new JWT secret/);
    const { secret, created } = await loadOrCreateSecret(dataDir);
    assert.equal(created, false);
    const verifier = await createTokenVerifier({ secret });
    const verified = await verifier.verify(first.token);
    assert.ok(verified.ok);
    assert.equal(verified.principal.admin, false);
    assert.equal(verified.principal.rooms, null);
    const second = await runTokenCli(["--sub", "8"], deps);
    assert.ok(second.ok);
    assert.equal(second.notice, undefined);
    assert.ok((await verifier.verify(second.token)).ok);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("runTokenCli() sets iss and aud to the server's ROOMD_JWT_ISSUER and ROOMD_JWT_AUDIENCE", async () => {
  const env = {
    ROOMD_JWT_SECRET: SECRET,
    ROOMD_JWT_ISSUER: "https://issuer.example",
    ROOMD_JWT_AUDIENCE: "roomd",
  };
  const result = await runTokenCli(["--sub", "42"], withEnv(env));
  assert.ok(result.ok);
  const verifier = await createTokenVerifier({
    secret: SECRET,
    issuer: env.ROOMD_JWT_ISSUER,
    audience: env.ROOMD_JWT_AUDIENCE,
  });
  const verified = await verifier.verify(result.token);
  assert.ok(verified.ok, JSON.stringify(verified));
  const { iss, aud } = decodeJwt(result.token);
  assert.deepEqual([iss, aud], ["https://issuer.example", "roomd"]);
});

Deno.test("runTokenCli() reports bad input as one line", async (t) => {
  const deps = withEnv({ ROOMD_JWT_SECRET: SECRET });
  const cases: [string, string[], TokenCliDeps, RegExp][] = [
    ["missing --sub", ["--name", "alice"], deps, /--sub is required/],
    ["bad --ttl", ["--sub", "42", "--ttl", "forever"], deps, /--ttl "forever" is not a lifetime/],
    ["unknown option", ["--sub", "42", "--color"], deps, /Unknown option '--color'/],
    ["positional argument", ["--sub", "42", "extra"], deps, /extra/],
    [
      "public key configured",
      ["--sub", "42"],
      withEnv({ ROOMD_JWT_PUBLIC_KEY: "-----BEGIN PUBLIC KEY-----" }),
      /ROOMD_JWT_PUBLIC_KEY or ROOMD_JWKS_URL/,
    ],
    [
      "key set configured",
      ["--sub", "42"],
      withEnv({ ROOMD_JWKS_URL: "https://auth.example/jwks.json" }),
      /ROOMD_JWT_PUBLIC_KEY or ROOMD_JWKS_URL/,
    ],
    ["invalid configuration", ["--sub", "42"], withEnv({ PORT: "http" }), /Invalid PORT="http"/],
  ];
  for (const [name, args, caseDeps, pattern] of cases) {
    await t.step(name, async () => {
      const result = await runTokenCli(args, caseDeps);
      assert.ok(!result.ok);
      assert.match(result.error, pattern);
      assert.ok(!result.error.includes("\n"));
    });
  }
});

async function spawnCli(args: string[], env: Record<string, string>) {
  const inherited: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) inherited[name] = value;
  }
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-env", "--allow-read", "--allow-write", "src/auth/token_cli.ts", ...args],
    cwd: ROOT,
    clearEnv: true,
    env: { ...inherited, NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("token_cli.ts prints only the token, or one error line and exits 1", async (t) => {
  const dataDir = await Deno.makeTempDir();
  try {
    await t.step("success", async () => {
      const run = await spawnCli(["--sub", "42", "--name", "alice"], {
        ROOMD_JWT_SECRET: SECRET,
        ROOMD_DATA_DIR: join(dataDir, "unused"),
      });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
      const verified = await (await createTokenVerifier({ secret: SECRET })).verify(
        run.stdout.trim(),
      );
      assert.ok(verified.ok);
      assert.equal(verified.principal.name, "alice");
      await assert.rejects(Deno.stat(join(dataDir, "unused")), Deno.errors.NotFound);
    });
    await t.step("--help prints the usage on stdout and exits 0", async () => {
      const run = await spawnCli(["--help"], { ROOMD_DATA_DIR: dataDir });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Mints a token/);
      assert.match(run.stdout, /usage: deno task token --sub ID/);
      assert.match(run.stdout, /ROOMD_JWT_ISSUER/);
      assert.equal(run.stderr, "");
    });
    await t.step("missing --sub", async () => {
      const run = await spawnCli(["--name", "alice"], { ROOMD_DATA_DIR: dataDir });
      assert.equal(run.code, 1);
      assert.equal(run.stdout, "");
      assert.match(run.stderr, /^Cannot mint token: --sub is required; usage: [^\n]+\n$/);
    });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});
