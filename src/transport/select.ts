/**
 * The transport of a `ROOMD_TRANSPORT` value.
 *
 * @module
 */
import { nativeTransport } from "./native.ts";
import { nodeWsTransport } from "./node_ws.ts";
import type { TransportName } from "../config.ts";
import type { Transport } from "./transport.ts";

/**
 * Picks a transport by name.
 *
 * @param name `native` (`Deno.serve`) or `ws` (`node:http` + `npm:ws`).
 * @returns The transport.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { transportFor } from "./select.ts";
 * assert.ok(transportFor("ws").name === "ws");
 * ```
 */
export function transportFor(name: TransportName): Transport {
  return name === "ws" ? nodeWsTransport : nativeTransport;
}
