/**
 * The `native` transport: `Deno.serve` with `Deno.upgradeWebSocket` (through `ws/upgrade.ts`).
 *
 * In Deno 2.9 one failed accept (EMFILE: out of descriptors) ends `Deno.serve` for good: its
 * `finished` rejects and the listener closes. This transport then listens again on the same
 * port with back-off, so a node that ran out of descriptors serves again once some are free.
 *
 * @module
 */
import { enableVectoredWrites } from "./writev.ts";
import { Backoff } from "./backoff.ts";
import type { Listening, ListenOptions, RequestHandler, Transport } from "./transport.ts";

/**
 * The `Deno.serve` transport.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { getLogger } from "@logtape/logtape";
 * import { nativeTransport } from "./native.ts";
 * const listening = await nativeTransport.serve(async () => new Response("hi"), {
 *   hostname: "127.0.0.1", port: 0, maxMessageBytes: 1024, log: getLogger("doc"),
 * });
 * const response = await fetch(`http://127.0.0.1:${listening.port}/`);
 * assert.ok(await response.text() === "hi");
 * await listening.shutdown();
 * ```
 */
export const nativeTransport: Transport = {
  name: "native",
  serve(handler: RequestHandler, options: ListenOptions): Promise<Listening> {
    const { hostname, log } = options;
    enableVectoredWrites();
    const backoff = new Backoff(50, 2000);
    const first = Promise.withResolvers<number>();
    let port = options.port;
    let server: Deno.HttpServer<Deno.NetAddr> | null = null;
    let listened = false;
    let stopping = false;
    let retry: ReturnType<typeof setTimeout> | undefined;

    const listen = (): void => {
      retry = undefined;
      if (stopping) return;
      try {
        server = Deno.serve({
          port,
          hostname,
          onListen: (addr) => {
            if (listened) log.warning("roomd listening again on {hostname}:{port}", { ...addr });
            else options.onListen?.(addr);
            listened = true;
            port = addr.port;
            first.resolve(addr.port);
          },
        }, handler);
      } catch (error) {
        if (!listened) {
          // The first bind failing (port in use, no permission) is a start-up error.
          first.reject(error);
          return;
        }
        log.warning("Cannot listen on {port} again: {error}", { port, error: String(error) });
        retry = setTimeout(listen, backoff.next());
        return;
      }
      const current = server;
      current.finished.then(() => backoff.reset(), (error) => {
        if (stopping) return;
        log.error("The listener on {port} ended: {error}; listening again", {
          port,
          error: String(error),
        });
        retry = setTimeout(listen, backoff.next());
      });
    };
    listen();
    return first.promise.then((bound) => ({
      port: bound,
      async shutdown() {
        stopping = true;
        clearTimeout(retry);
        await server?.shutdown();
      },
    }));
  },
};
