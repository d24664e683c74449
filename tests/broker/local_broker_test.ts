import { LocalBroker, LocalBrokerHub } from "../../src/broker/local_broker.ts";
import { newRoomRecord } from "../../src/room/new_room.ts";
import { MemoryStore } from "../../src/store/memory.ts";
import { brokerContract } from "./_contract.ts";

brokerContract("LocalBroker", () => {
  const store = new MemoryStore();
  const hub = new LocalBrokerHub(store);
  return {
    node: (nodeId) => new LocalBroker(hub, nodeId),
    async createRoom(roomId) {
      const record = newRoomRecord(roomId, "api", null, 100);
      await store.createRoom(record);
      return record.epoch;
    },
    async close() {
      await hub.writer.close();
      await store.close();
    },
  };
});
