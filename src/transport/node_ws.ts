/**
 * The `ws` transport: `node:http` for requests and `npm:ws` for WebSockets, with `maxPayload`
 * set to the largest message so an oversized frame is refused (1009) from its header instead
 * of being buffered whole (Deno's native WebSocket has no such limit).
 *
 * Deno 2.9's `node:http` stops accepting for good after one failed accept (EMFILE), without
 * an event. Re-arming the listening handle (`listen` again on the same handle) makes it accept
 * again, so the transport does that every second.
 *
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { setImmediate } from "node:timers";
// @ts-types="./_ws.d.ts"
import { type WebSocket, WebSocketServer } from "ws";
import { withUpgrader } from "../ws/upgrade.ts";
import { Heartbeat } from "./heartbeat.ts";
import { inRequestSpan } from "./request_span.ts";
import {
  errorResponse,
  peerOf,
  peerOfKeptSocket,
  toRequest,
  writeRawResponse,
  writeResponse,
} from "./node_request.ts";
import type { Listening, ListenOptions, RequestHandler, Transport } from "./transport.ts";
import { wiredSocketClass, wireSocket } from "./ws_socket.ts";

const ignore = () => {};

/** Answered to the router for an upgrade the transport has taken over; never sent. */
const UPGRADED = () => new Response(null, { status: 200 });

/**
 * The `node:http` + `npm:ws` transport.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { getLogger } from "@logtape/logtape";
 * import { nodeWsTransport } from "./node_ws.ts";
 * const listening = await nodeWsTransport.serve(async () => new Response("hi"), {
 *   hostname: "127.0.0.1", port: 0, maxMessageBytes: 1024, log: getLogger("doc"),
 * });
 * const response = await fetch(`http://127.0.0.1:${listening.port}/`);
 * assert.ok(await response.text() === "hi");
 * await listening.shutdown();
 * ```
 */
export const nodeWsTransport: Transport = {
  name: "ws",
  async serve(handler: RequestHandler, options: ListenOptions): Promise<Listening> {
    const server = createServer();
    const heartbeats = new Map<number, Heartbeat>();
    const heartbeatOf = (idleTimeoutS: number) => {
      let heartbeat = heartbeats.get(idleTimeoutS);
      if (!heartbeat) heartbeats.set(idleTimeoutS, heartbeat = new Heartbeat(idleTimeoutS));
      return heartbeat;
    };
    let selected: string | undefined;
    const wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: options.maxMessageBytes,
      WebSocket: wiredSocketClass(),
      handleProtocols: () => selected ?? false,
    });
    let fallbackHost = `${options.hostname}:${options.port}`;

    const call = async (
      request: Request,
      peer: Deno.NetAddr,
      res?: ServerResponse,
    ): Promise<Response> => {
      try {
        const handle = () => handler(request, { remoteAddr: peer });
        return await inRequestSpan(request, peer, handle, res);
      } catch {
        return errorResponse(500, "internal_error", "Cannot complete request: internal error");
      }
    };

    server.on("request", async (req: IncomingMessage, res: ServerResponse) => {
      let request: Request;
      try {
        request = toRequest(req, fallbackHost);
      } catch (error) {
        await writeResponse(
          errorResponse(400, "bad_request", `Cannot read request: ${error}`),
          res,
        );
        return;
      }
      await writeResponse(await call(request, peerOf(req.socket), res), res);
    });

    // Sockets of upgrade requests not (yet) upgraded: they are outside node:http's bookkeeping,
    // so shutdown ends them itself (upgraded ones through their heartbeat).
    const upgrading = new Set<Duplex>();
    server.on("upgrade", async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on("error", ignore);
      upgrading.add(socket);
      const forget = () => upgrading.delete(socket);
      socket.once("close", forget);
      let taken = false;
      let request: Request;
      try {
        request = withUpgrader(
          toRequest(req, fallbackHost),
          (idleTimeoutS, handlersFor, protocol) => {
            let ws: WebSocket | undefined;
            selected = protocol;
            // The 101 and the welcome (sent from microtasks of this turn when the room is
            // loaded) leave in one write instead of two.
            socket.cork();
            setImmediate(() => socket.uncork());
            try {
              // Without a verifyClient hook ws completes (or refuses) the handshake at once.
              wss.handleUpgrade(req, socket, head, (upgraded) => ws = upgraded);
            } finally {
              selected = undefined;
            }
            if (!ws) throw new TypeError("invalid WebSocket handshake");
            taken = true;
            forget();
            socket.off("close", forget);
            // ws handles the socket's errors from now on; a second listener costs every
            // connection an array of listeners.
            socket.off("error", ignore);
            wireSocket(ws, socket, handlersFor, heartbeatOf(idleTimeoutS));
            return UPGRADED();
          },
        );
      } catch (error) {
        const refusal = errorResponse(400, "bad_request", `Cannot read request: ${error}`);
        await writeRawResponse(refusal, socket);
        return;
      }
      const response = await call(request, peerOfKeptSocket(req.socket));
      if (!taken) await writeRawResponse(response, socket);
    });

    // See the module doc: re-arm the listening handle so a failed accept does not end serving.
    const rearm = () => {
      (server as Server & { _handle?: { listen?(backlog: number): number } })._handle?.listen?.(
        511,
      );
    };
    const rearming = setInterval(rearm, 1000);
    Deno.unrefTimer(rearming);

    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port, options.hostname, () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", (error) => {
      options.log.error("The listener failed: {error}", { error: String(error) });
    });
    const port = (server.address() as { port: number }).port;
    fallbackHost = `${options.hostname}:${port}`;
    options.onListen?.({ hostname: options.hostname, port });

    return {
      port,
      async shutdown() {
        clearInterval(rearming);
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        for (const heartbeat of heartbeats.values()) {
          for (const watched of heartbeat.sockets()) watched.end();
          heartbeat.close();
        }
        const grace = setTimeout(() => {
          server.closeAllConnections();
          for (const socket of upgrading) socket.destroy();
        }, 1000);
        await closed;
        clearTimeout(grace);
      },
    };
  },
};
