import assert from "assert";
import { rootLogger } from "../../src/log.ts";
import { RedisKeys } from "../../src/redis/keys.ts";
import { RedisLink } from "../../src/redis/redis_link.ts";
import { RedisUserLimits } from "../../src/redis/redis_user_limits.ts";
import { REDIS_IGNORE, startRedis } from "../_helpers/redis_server.ts";
import { until } from "../_helpers/until.ts";

const log = rootLogger().getChild("test");
const TTL = 30_000;

Deno.test({
  name: "RedisUserLimits: a dead node's slots expire within the TTL, a live node's are renewed",
  ignore: REDIS_IGNORE,
  async fn() {
    const redis = await startRedis();
    const keys = new RedisKeys("t:");
    const clock = { now: Date.now() };
    const links = [0, 1].map(() => new RedisLink({ urls: [redis.url], cluster: false, log }));
    const [live, dead] = links.map((link, i) =>
      new RedisUserLimits(link, keys, `node-${i}`, {
        maxConnectionsPerUser: 2,
        joinRate: 10,
        entryTtlMs: TTL,
        now: () => clock.now,
      })
    );
    try {
      await until(() => links.every((link) => link.failure === null), "the links ready");
      assert.deepEqual(await dead.acquire("ana", "d1"), { ok: true });
      assert.deepEqual(await live.acquire("ana", "a1"), { ok: true });
      await dead.close();
      clock.now += TTL - 1000;
      await live.refresh();
      assert.equal((await live.acquire("ana", "a2")).ok, false, "nothing expired yet");
      clock.now += 2000;
      assert.deepEqual(await live.acquire("ana", "a2"), { ok: true }, "the dead node's slot");
      assert.deepEqual(await live.acquire("ana", "a3"), {
        ok: false,
        reason: "limit",
        held: 2,
        limit: 2,
      });
    } finally {
      await Promise.all([live.close(), dead.close()]);
      await Promise.all(links.map((link) => link.close()));
      await redis.stop();
    }
  },
});

Deno.test({
  name: "RedisUserLimits refuses slots and joins as unavailable while Redis is down",
  ignore: REDIS_IGNORE,
  async fn() {
    const redis = await startRedis();
    const link = new RedisLink({ urls: [redis.url], cluster: false, log, probeMs: 100 });
    const limits = new RedisUserLimits(link, new RedisKeys("t:"), "a", {
      maxConnectionsPerUser: 2,
      joinRate: 10,
      entryTtlMs: TTL,
    });
    try {
      await until(() => link.failure === null, "the link ready");
      assert.deepEqual(await limits.acquire("ana", "c1"), { ok: true });
      await redis.kill();
      await until(() => link.failure !== null, "a failure");
      const unavailable = {
        ok: false,
        reason: "unavailable",
        message: "per-user limits cannot be counted while Redis is unavailable",
      };
      assert.deepEqual(await limits.acquire("ana", "c2"), unavailable);
      assert.deepEqual(await limits.check("ana"), unavailable);
      assert.deepEqual(await limits.attemptJoin("ana"), unavailable);
      assert.deepEqual(await limits.peekJoin("ana"), unavailable);
      await limits.release("ana", "c1");
    } finally {
      await limits.close();
      await link.close();
      await redis.stop();
    }
  },
});
