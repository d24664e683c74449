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
  const handlers = handlersFor(socket);
  // Listeners rather than `on…` attributes, which Deno wraps in a closure each; `open` and
  // `close` are removed once they fired, so an idle connection keeps one listener. Errors
  // need none: each is followed by a `close` event.
  socket.addEventListener("open", () => handlers.onOpen(), { once: true });
  socket.addEventListener("message", (event) => handlers.onMessage(event.data));
  socket.addEventListener("close", (event) => {
    // Deno reports a connection lost without a close frame as code 0; the protocol's name for
    // that is 1006 (abnormal closure), which is what metrics and logs should show.
    handlers.onClose(event.code === 0 ? ABNORMAL_CLOSURE : event.code, event.reason);
  }, { once: true });
  return response;
}
