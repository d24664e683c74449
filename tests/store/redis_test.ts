import { RedisKeys } from "../../src/redis/keys.ts";
import { RedisLink } from "../../src/redis/redis_link.ts";
import { RedisStore } from "../../src/redis/redis_store.ts";
import { rootLogger } from "../../src/log.ts";
import { REDIS_IGNORE, startRedis } from "../_helpers/redis_server.ts";
import { until } from "../_helpers/until.ts";
import { storeContract } from "./_contract.ts";

const log = rootLogger().getChild("test");

if (!REDIS_IGNORE) {
  storeContract("RedisStore", async ({ historySize }) => {
    const redis = await startRedis();
    const link = new RedisLink({ urls: [redis.url], cluster: false, log });
    await until(() => link.failure === null, "the link ready");
    let closing: Promise<void> | undefined;
    // Each test's own redis-server goes when the contract closes its store.
    return new class extends RedisStore {
      override close(): Promise<void> {
        closing ??= super.close().then(() => link.close()).then(() => redis.stop());
        return closing;
      }
    }(link, new RedisKeys("t:"), { historySize });
  });
}
