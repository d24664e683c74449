import { LocalUserLimits } from "../../src/limits/local_user_limits.ts";
import { CONTRACT_LIMITS, userLimitsContract } from "./_user_limits_contract.ts";

userLimitsContract("LocalUserLimits", () => {
  let now = 0;
  const limits = new LocalUserLimits(CONTRACT_LIMITS, () => now);
  return {
    node: () => limits,
    advance: (ms) => void (now += ms),
    close: () => limits.close(),
  };
});
