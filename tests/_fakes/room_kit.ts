/**
 * Builds rooms and connections over the memory store and fake sockets, for unit tests and
 * benchmarks.
 *
 * @module
 */
import { LocalControl, LocalControlHub } from "../../src/control/local_control.ts";
import {
  LocalPresence,
  LocalPresenceHub,
  type LocalPresenceOptions,
} from "../../src/presence/local_presence.ts";
import { LocalBroker, LocalBrokerHub } from "../../src/broker/local_broker.ts";
import type { Principal } from "../../src/auth/principal.ts";
import { parseConfig } from "../../src/config.ts";
import { rootLogger } from "../../src/log.ts";
import { Metrics } from "../../src/metrics/metrics.ts";
import { buildTypeRegistry } from "../../src/protocol/schemas.ts";
import { RoomRegistry } from "../../src/room/registry.ts";
import type { Room } from "../../src/room/room.ts";
import type { RoomContext } from "../../src/room/room_context.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import type { Store } from "../../src/store/types.ts";
import { Connection } from "../../src/ws/connection.ts";
import { FakeSocket } from "./fake_socket.ts";

/** A room context over fakes, with a registry. */
export interface RoomKit {
  /** The context given to rooms. */
  ctx: RoomContext;
  /** A registry over it. */
  registry: RoomRegistry;
  /** The registry of another node sharing the kit's store and engines (as Redis would). */
  node(nodeId: string): RoomRegistry;
  /** A connection of `userId` to `roomId` over a new fake socket. */
  connection(
    roomId: string,
    userId: string,
    record?: boolean,
  ): { connection: Connection; socket: FakeSocket };
  /**
   * Resolves once the room has run what was posted, the broker has stored it, and the
   * commit results have been delivered (persisted messages go out after their commit).
   */
  delivered(room: Room): Promise<void>;
  /** Stops timers. */
  close(): Promise<void>;
}

/**
 * A kit with the given environment on top of defaults.
 *
 * @param env Config variables.
 * @param wrap Wraps the memory store (e.g. in a store that fails on demand).
 * @param presence Options of the presence engine (TTLs, clock).
 * @returns The kit.
 */
export function roomKit(
  env: Record<string, string> = {},
  wrap: (store: Store) => Store = (store) => store,
  presence: LocalPresenceOptions = {},
): RoomKit {
  const config = parseConfig({
    ROOMD_ROOM_GRACE_MS: "0",
    ROOMD_MSG_RATE: "1000000",
    ROOMD_MSG_BURST: "1000000",
    ...env,
  });
  const store = wrap(new MemoryStore({ historySize: config.historySize }));
  const metrics = new Metrics({ collectProcess: false });
  const brokerHub = new LocalBrokerHub(store, {
    onWritten: (seconds) => metrics.observeStoreWrite(seconds),
  });
  const controlHub = new LocalControlHub();
  const presenceHub = new LocalPresenceHub(presence);
  const broker = new LocalBroker(brokerHub, "node-a");
  const ctx: RoomContext = {
    config,
    store,
    broker,
    control: new LocalControl(controlHub, "node-a"),
    presence: new LocalPresence(presenceHub, "node-a"),
    metrics,
    log: rootLogger(),
    types: buildTypeRegistry({}),
  };
  let next = 0;
  return {
    ctx,
    registry: new RoomRegistry(ctx),
    node: (nodeId) =>
      new RoomRegistry({
        ...ctx,
        broker: new LocalBroker(brokerHub, nodeId),
        control: new LocalControl(controlHub, nodeId),
        presence: new LocalPresence(presenceHub, nodeId),
      }),
    connection(roomId, userId, record = true) {
      const socket = new FakeSocket(record);
      const principal: Principal = {
        id: userId,
        name: `user ${userId}`,
        rooms: null,
        admin: false,
        expiresAt: Infinity,
      };
      const connection = new Connection({
        id: `c${++next}`,
        principal,
        roomId,
        ip: "127.0.0.1",
        socket,
        maxQueueBytes: config.maxQueueBytes,
        log: rootLogger(),
        onSlowConsumer: () => metrics.slowConsumerDisconnect(),
      });
      return { connection, socket };
    },
    async delivered(room) {
      await room.idle();
      await broker.flush();
      // The results come back as tasks a few promise turns after the commit.
      await new Promise((resolve) => setTimeout(resolve, 0));
      await room.idle();
    },
    async close() {
      await broker.close();
      metrics.close();
    },
  };
}
