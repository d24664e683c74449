/**
 * The runtime adapter: the only place a request becomes a WebSocket. A request that a
 * transport other than `Deno.serve` built carries its own upgrader ({@linkcode withUpgrader});
 * every other request goes to `Deno.upgradeWebSocket`. Either way the socket's events reach
 * runtime-independent handlers, so room and connection code never learn the transport.
 *
 * @module
 */
import { ABNORMAL_CLOSURE } from "./close_codes.ts";
import type { Socket } from "./socket.ts";

/** Handlers of one WebSocket's events. */
export interface SocketHandlers {
  /** The socket is open. */
  onOpen(): void;
  /** A frame arrived (string for text, ArrayBuffer/Blob for binary). */
  onMessage(data: unknown): void;
  /** The socket closed (for any reason) with this code and reason. */
  onClose(code: number, reason: string): void;
}

/** What a transport does to upgrade one of its requests (the arguments of {@linkcode upgradeWebSocket}). */
export type Upgrader = (
  idleTimeoutS: number,
  handlersFor: (socket: Socket) => SocketHandlers,
  protocol: string | undefined,
) => Response;

const UPGRADER = Symbol("roomd.upgrader");

/**
 * Marks a request as upgradable by its transport rather than by `Deno.upgradeWebSocket`.
 *
 * @param request A request the transport built.
 * @param upgrader Performs the upgrade.
 * @returns The same request.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { upgradeWebSocket, withUpgrader } from "./upgrade.ts";
 * const request = withUpgrader(new Request("http://x/ws/a"), () => new Response("upgraded"));
 * const response = upgradeWebSocket(request, 60, () => ({ onOpen() {}, onMessage() {}, onClose() {} }));
 * assert.ok(await response.text() === "upgraded");
 * ```
 */
export function withUpgrader(request: Request, upgrader: Upgrader): Request {
  Object.defineProperty(request, UPGRADER, { value: upgrader });
  return request;
}

/**
 * Upgrades a request to a WebSocket and wires its events.
 *
 * @param request The HTTP request (already checked).
 * @param idleTimeoutS Ping/pong idle timeout in seconds (0 disables).
 * @param handlersFor Builds the handlers once the socket exists.
 * @param protocol The subprotocol to select in the answer (`Sec-WebSocket-Protocol`); it must be
 * one the client offered.
 * @returns The response to return to the transport (101 on `Deno.serve`).
 * @throws {TypeError} When the request is not a valid WebSocket upgrade.
 */
export function upgradeWebSocket(
  request: Request,
  idleTimeoutS: number,
  handlersFor: (socket: Socket) => SocketHandlers,
  protocol?: string,
): Response {
  const upgrader = (request as Request & { [UPGRADER]?: Upgrader })[UPGRADER];
  if (upgrader) return upgrader(idleTimeoutS, handlersFor, protocol);
  const { socket, response } = Deno.upgradeWebSocket(request, {
    idleTimeout: idleTimeoutS,
    protocol,
  });
  const listener = new SocketListener(handlersFor(socket));
  // One listener object for the three events rather than a closure each (an idle connection
  // keeps what it listens with); `open` and `close` are removed once they fired. Errors need
  // none: each is followed by a `close` event.
  socket.addEventListener("open", listener, { once: true });
  socket.addEventListener("message", listener);
  socket.addEventListener("close", listener, { once: true });
  return response;
}

/** Passes a native WebSocket's events to roomd's handlers. */
class SocketListener implements EventListenerObject {
  readonly #handlers: SocketHandlers;

  constructor(handlers: SocketHandlers) {
    this.#handlers = handlers;
  }

  handleEvent(event: Event): void {
    switch (event.type) {
      case "message":
        return this.#handlers.onMessage((event as MessageEvent).data);
      case "open":
        return this.#handlers.onOpen();
      case "close": {
        // Deno reports a connection lost without a close frame as code 0; the protocol's name
        // for that is 1006 (abnormal closure), which is what metrics and logs should show.
        const { code, reason } = event as CloseEvent;
        return this.#handlers.onClose(code === 0 ? ABNORMAL_CLOSURE : code, reason);
      }
    }
  }
}
