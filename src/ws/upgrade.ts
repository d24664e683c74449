/**
 * The runtime adapter: the only caller of `Deno.upgradeWebSocket`. It hands socket events to
 * runtime-independent handlers.
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

/**
 * Upgrades a request to a WebSocket and wires its events.
 *
 * @param request The HTTP request (already checked).
 * @param idleTimeoutS Ping/pong idle timeout in seconds (0 disables).
 * @param handlersFor Builds the handlers once the socket exists.
 * @param protocol The subprotocol to select in the answer; it must be one the client offered.
 * @returns The 101 response to return to `Deno.serve`.
 */
export function upgradeWebSocket(
  request: Request,
  idleTimeoutS: number,
  handlersFor: (socket: Socket) => SocketHandlers,
  protocol?: string,
): Response {
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
