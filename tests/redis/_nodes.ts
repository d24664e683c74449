/**
 * roomd nodes over Redis for tests: each with its own {@linkcode RedisLink}, as separate roomd
 * processes would have, and a recorder of what a broker subscription saw.
 *
 * @module
 */
import type { BrokerHandler, Origin } from "../../src/broker/broker.ts";
import { RedisBroker } from "../../src/redis/redis_broker.ts";
import { RedisKeys } from "../../src/redis/keys.ts";
import { RedisLink } from "../../src/redis/redis_link.ts";
import { RedisStore } from "../../src/redis/redis_store.ts";
import { RoomBus } from "../../src/redis/room_bus.ts";
import { rootLogger } from "../../src/log.ts";
import type { NewMessage, SerializedMessage } from "../../src/store/types.ts";
import { until } from "../_helpers/until.ts";
import { REDIS_IGNORE, type RedisServer, startRedis } from "../_helpers/redis_server.ts";

/** One node's Redis engine. */
export interface RedisNode {
  link: RedisLink;
  store: RedisStore;
  broker: RedisBroker;
  close(): Promise<void>;
}

/** Key names every test node shares. */
export const KEYS: RedisKeys = new RedisKeys("t:");

/**
 * Opens a node and waits until its link is ready.
 *
 * @param urls Redis URL(s).
 * @param nodeId The node's id.
 * @param options Cluster mode, history size.
 * @returns The node.
 */
export async function openNode(
  urls: string | string[],
  nodeId: string,
  options: { cluster?: boolean; historySize?: number } = {},
): Promise<RedisNode> {
  const link = new RedisLink({
    urls: typeof urls === "string" ? [urls] : urls,
    cluster: options.cluster ?? false,
    log: rootLogger().getChild("test"),
    probeMs: 100,
  });
  await until(() => link.failure === null, `node ${nodeId} ready`, 15_000);
  const store = new RedisStore(link, KEYS, { historySize: options.historySize ?? 0 });
  const broker = new RedisBroker(link, new RoomBus(link, KEYS), store, nodeId);
  return {
    link,
    store,
    broker,
    async close() {
      await broker.close();
      await store.close();
      await link.close();
    },
  };
}

/** What one subscription saw. */
export interface Recorder {
  handler: BrokerHandler;
  messages: { message: SerializedMessage; origin: Origin | null }[];
  epochs: { epoch: string; lastId: number }[];
  /** Ids delivered, in order. */
  ids(): number[];
}

/** A subscription handler that records everything. */
export function recorder(): Recorder {
  const seen: Recorder = {
    messages: [],
    epochs: [],
    ids: () => seen.messages.map((m) => m.message.id),
    handler: {
      message: (message, origin) => seen.messages.push({ message, origin }),
      ephemeral: () => {},
      epoch: (epoch, lastId) => seen.epochs.push({ epoch, lastId }),
    },
  };
  return seen;
}

/** A chat message of `ana`. */
export function chat(roomId: string, text: string): NewMessage {
  return {
    type: "chat",
    room_id: roomId,
    user_id: "ana",
    timestamp: new Date().toISOString(),
    data_json: JSON.stringify({ text }),
  };
}

/** `[from, …, to]`. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/**
 * Registers a test that runs `body` with a fresh redis-server and `count` broker nodes over it
 * (ids `a`, `b`, …), all closed afterwards.
 *
 * @param name Test name.
 * @param count How many nodes.
 * @param body The test, given the nodes and the redis-server.
 * @param redisArgs Extra redis-server arguments (e.g. AOF).
 */
export function brokerNodesTest(
  name: string,
  count: number,
  body: (nodes: RedisNode[], redis: RedisServer) => Promise<void>,
  redisArgs: string[] = [],
): void {
  Deno.test({
    name,
    ignore: REDIS_IGNORE,
    async fn() {
      const redis = await startRedis({ args: redisArgs });
      const nodes: RedisNode[] = [];
      try {
        for (const id of ["a", "b", "c"].slice(0, count)) nodes.push(await openNode(redis.url, id));
        await body(nodes, redis);
      } finally {
        await Promise.all(nodes.map((node) => node.close()));
        await redis.stop();
      }
    },
  });
}
