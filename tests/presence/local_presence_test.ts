import { LocalPresence, LocalPresenceHub } from "../../src/presence/local_presence.ts";
import { CONTRACT_TTLS, presenceContract } from "./_contract.ts";

presenceContract("LocalPresence", () => {
  let now = Date.now();
  const hub = new LocalPresenceHub({ ...CONTRACT_TTLS, now: () => now });
  return {
    node: (nodeId) => new LocalPresence(hub, nodeId),
    advance: (ms) => {
      now += ms;
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
});
