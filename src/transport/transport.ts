/**
 * The seam between roomd and the network: a transport listens on a port, turns each HTTP
 * request into a web `Request` for roomd's handler and upgrades WebSockets through
 * `ws/upgrade.ts`. `native` is `Deno.serve` + `Deno.upgradeWebSocket`; `ws` is `node:http` +
 * `npm:ws`, whose frame size limit refuses an oversized frame from its header.
 *
 * @module
 */
import type { TransportName } from "../config.ts";
import type { Logger } from "../log.ts";

/** The peer of a request, as the handler learns it. */
export interface ServeInfo {
  /** The TCP peer's address. */
  remoteAddr: Deno.NetAddr;
}

/** roomd's request handler, whichever transport calls it. */
export type RequestHandler = (request: Request, info: ServeInfo) => Promise<Response>;

/** Where and how to listen. */
export interface ListenOptions {
  /** Interface to bind. */
  hostname: string;
  /** Port (0 = any free port). */
  port: number;
  /** Largest inbound WebSocket frame in bytes (the `ws` transport refuses larger from the header). */
  maxMessageBytes: number;
  /** Transport events (a listener that ended and listens again). */
  log: Logger;
  /** Told once the first time the transport listens. */
  onListen?(addr: { hostname: string; port: number }): void;
}

/** A listening transport. */
export interface Listening {
  /** The bound port. */
  readonly port: number;
  /** Stops listening and ends what is left of the transport's connections. */
  shutdown(): Promise<void>;
}

/** A way of serving roomd on the network. */
export interface Transport {
  /** `native` or `ws`. */
  readonly name: TransportName;
  /**
   * Listens and serves requests with the handler until `shutdown`. When accepting fails for
   * good (out of descriptors), the transport listens again on the same port with back-off.
   *
   * @param handler roomd's handler.
   * @param options Address and limits.
   * @returns The listening transport.
   */
  serve(handler: RequestHandler, options: ListenOptions): Promise<Listening>;
}
