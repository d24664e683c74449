import { MemoryStore } from "../../src/store/memory.ts";
import { storeContract } from "./_contract.ts";

storeContract("MemoryStore", ({ historySize }) => new MemoryStore({ historySize }));
