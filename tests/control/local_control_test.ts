import { LocalControl, LocalControlHub } from "../../src/control/local_control.ts";
import { controlContract } from "./_contract.ts";

controlContract("LocalControl", () => {
  const hub = new LocalControlHub();
  return {
    node: (nodeId) => new LocalControl(hub, nodeId),
    close: () => Promise.resolve(),
  };
});
