import assert from "assert";
import { ConfigError, parseConfig, RESERVED_TYPES } from "../src/config.ts";
import { maxConnectionsForFileLimit, readOpenFileLimit } from "../src/limits/file_limit.ts";

Deno.test("parseConfig() fills in the documented defaults", () => {
  const c = parseConfig({});
  assert.equal(c.port, 8080);
  assert.equal(c.host, "127.0.0.1");
  assert.equal(c.dataDir, "./data");
  assert.equal(c.maxMessageBytes, 32768);
  assert.equal(c.idleTimeoutS, 60);
  assert.equal(c.logLevel, "info");
  assert.equal(c.historySize, 1000);
  assert.equal(c.msgRate, 20);
  assert.equal(c.msgBurst, 40);
  assert.equal(c.joinRate, 10);
  assert.equal(c.maxConnections, maxConnectionsForFileLimit(readOpenFileLimit()));
  assert.equal(c.transport, "native");
  assert.equal(c.maxConnectionsPerUser, 20);
  assert.equal(c.maxConnectionsPerIp, 200);
  assert.equal(c.maxQueueBytes, 1024 * 1024);
  assert.equal(c.emptyRoomTtlS, 300);
  assert.equal(c.presenceTickMs, 50);
  assert.equal(c.welcomeMembers, 100);
  assert.equal(c.warmupClients, 2000);
  assert.equal(c.trustProxy, false);
  assert.equal(c.allowedOrigins, undefined);
  assert.ok(Object.isFrozen(c));
});

Deno.test("parseConfig() reads lists, booleans and the warn alias", () => {
  const c = parseConfig({
    ROOMD_ALLOWED_ORIGINS: "https://a.example, https://b.example",
    ROOMD_TRUST_PROXY: "true",
    ROOMD_LOG_LEVEL: "warn",
    PORT: "0",
  });
  assert.deepEqual(c.allowedOrigins, ["https://a.example", "https://b.example"]);
  assert.equal(c.trustProxy, true);
  assert.equal(c.logLevel, "warning");
  assert.equal(c.port, 0);
});

Deno.test("parseConfig() names the variable and the problem in one line", () => {
  const cases: Record<string, string> = {
    PORT: "70000",
    ROOMD_MSG_RATE: "-1",
    ROOMD_LOG_LEVEL: "loud",
    ROOMD_ALLOWED_ORIGINS: "not a url",
    ROOMD_TRUST_PROXY: "maybe",
    ROOMD_PRESENCE_TICK_MS: "-5",
    ROOMD_WELCOME_MEMBERS: "10001",
  };
  for (const [name, value] of Object.entries(cases)) {
    assert.throws(() => parseConfig({ [name]: value }), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.ok(e.message.startsWith(`Invalid ${name}=`), e.message);
      assert.ok(!e.message.includes("\n"));
      return true;
    });
  }
});

Deno.test("parseConfig() never echoes the value of a secret", () => {
  const cases: Array<[Record<string, string>, Record<string, unknown>, string]> = [
    [{ ROOMD_JWT_SECRET: "short-secret" }, {}, "short-secret"],
    [{}, { ROOMD_JWT_SECRET: "short-secret" }, "short-secret"],
    [{}, { ROOMD_JWT_SECRET: 12345678 }, "12345678"],
    [{}, { ROOMD_METRICS_TOKEN: 424242 }, "424242"],
  ];
  for (const [env, file, value] of cases) {
    assert.throws(() => parseConfig(env, file), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /^Invalid ROOMD_\w+: /);
      assert.ok(!e.message.includes(value), e.message);
      return true;
    });
  }
});

Deno.test("parseConfig() takes file values under the variable names, the environment winning", () => {
  const c = parseConfig({ ROOMD_HISTORY_SIZE: "7" }, { ROOMD_HISTORY_SIZE: 5, ROOMD_MSG_RATE: 3 });
  assert.equal(c.historySize, 7);
  assert.equal(c.msgRate, 3);
  assert.throws(() => parseConfig({}, { NOT_A_SETTING: 1 }), /unknown key "NOT_A_SETTING"/);
});

Deno.test("parseConfig() validates declared types and refuses built-in names", () => {
  const c = parseConfig({}, { types: { typing: { schema: { type: "object" }, persist: false } } });
  assert.equal(c.customTypes.typing.max_bytes, 4096);
  assert.throws(() => parseConfig({}, { types: { chat: { schema: {} } } }), /built in/);
  assert.throws(() => parseConfig({}, { types: { Bad: { schema: {} } } }), /types/);
  assert.throws(
    () => parseConfig({}, { types: { typing: { persist: true } } }),
    /types\.typing\.schema/,
  );
});

Deno.test("parseConfig() refuses an invalid JSON Schema and every reserved built-in name", () => {
  assert.throws(
    () => parseConfig({}, { types: { typing: { schema: { type: "nope" } } } }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /^Invalid config file: types\.typing\.schema: schema is invalid/);
      assert.ok(!e.message.includes("\n"));
      return true;
    },
  );
  for (const name of RESERVED_TYPES) {
    assert.throws(
      () => parseConfig({}, { types: { [name]: { schema: {} } } }),
      (e: unknown) =>
        (e as Error).message === `Invalid config file: types.${name}: "${name}" is built in`,
    );
  }
  assert.ok(RESERVED_TYPES.includes("members") && RESERVED_TYPES.includes("refresh"));
});

Deno.test("parseConfig() refuses more than one source of token keys, naming variables only", () => {
  const secret = "0123456789abcdef0123";
  const pairs: Array<Record<string, string>> = [
    { ROOMD_JWT_PUBLIC_KEY: "x", ROOMD_JWKS_URL: "https://idp.example/jwks" },
    { ROOMD_JWT_SECRET: secret, ROOMD_JWT_PUBLIC_KEY: "x" },
    { ROOMD_JWT_SECRET: secret, ROOMD_JWKS_URL: "https://idp.example/jwks" },
  ];
  for (const env of pairs) {
    assert.throws(() => parseConfig(env), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /^Invalid ROOMD_\w+: set only one of ROOMD_JWT_SECRET, /);
      assert.ok(!e.message.includes(secret) && !/publicKey|jwksUrl/.test(e.message));
      return true;
    });
  }
});

Deno.test("parseConfig() reads ROOMD_WARMUP_CLIENTS from 0 (none) to 100,000", () => {
  assert.equal(parseConfig({ ROOMD_WARMUP_CLIENTS: "0" }).warmupClients, 0);
  assert.throws(() => parseConfig({ ROOMD_WARMUP_CLIENTS: "-1" }), /ROOMD_WARMUP_CLIENTS/);
  assert.throws(() => parseConfig({ ROOMD_WARMUP_CLIENTS: "100001" }), /ROOMD_WARMUP_CLIENTS/);
});

Deno.test("parseConfig() reads ROOMD_TRANSPORT and refuses an unknown one", () => {
  assert.equal(parseConfig({ ROOMD_TRANSPORT: "ws" }).transport, "ws");
  assert.throws(() => parseConfig({ ROOMD_TRANSPORT: "uws" }), ConfigError);
});

Deno.test("an explicit ROOMD_MAX_CONNECTIONS wins over the open-file limit", () => {
  assert.equal(parseConfig({ ROOMD_MAX_CONNECTIONS: "3" }).maxConnections, 3);
});

Deno.test("ROOMD_REDIS_URL switches the store to Redis; ROOMD_STORE may then only say redis", () => {
  const one = parseConfig({ ROOMD_REDIS_URL: "redis://:pw@127.0.0.1:6379" });
  assert.equal(one.store, "redis");
  assert.deepEqual(one.redisUrls, ["redis://:pw@127.0.0.1:6379"]);
  assert.equal(one.redisPrefix, "roomd:");
  assert.equal(one.presenceTtlS, 30);
  const cluster = parseConfig({
    ROOMD_REDIS_URL: "redis://10.0.0.1:7000, rediss://10.0.0.2:7000",
    ROOMD_REDIS_CLUSTER: "true",
    ROOMD_STORE: "redis",
  });
  assert.deepEqual(cluster.redisUrls, ["redis://10.0.0.1:7000", "rediss://10.0.0.2:7000"]);
  assert.equal(cluster.redisCluster, true);
  assert.equal(parseConfig({}).store, "sqlite");
  assert.deepEqual(parseConfig({}).redisUrls, []);
  assert.throws(
    () => parseConfig({ ROOMD_REDIS_URL: "redis://127.0.0.1:6379", ROOMD_STORE: "sqlite" }),
    /^ConfigError: Invalid ROOMD_STORE="sqlite": ROOMD_REDIS_URL is set/,
  );
  assert.throws(() => parseConfig({ ROOMD_STORE: "redis" }), /set ROOMD_REDIS_URL too/);
  assert.throws(() => parseConfig({ ROOMD_REDIS_URL: "http://x:1" }), /Invalid ROOMD_REDIS_URL/);
  assert.throws(() => parseConfig({ ROOMD_REDIS_PREFIX: "a{b}" }), /Invalid ROOMD_REDIS_PREFIX/);
});
