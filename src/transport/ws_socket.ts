/**
 * One `npm:ws` socket wired to roomd's socket handlers: text frames as strings, binary frames
 * as `ArrayBuffer`s, pongs and frames as signs of life for the heartbeat, and an `error`
 * listener on every socket (without one, an oversized frame's error would end the process).
 *
 * @module
 */
// @ts-types="./_ws.d.ts"
import type { WebSocket } from "ws";
import type { Duplex } from "node:stream";
import { ABNORMAL_CLOSURE, CloseCode } from "../ws/close_codes.ts";
import type { Socket } from "../ws/socket.ts";
import type { SocketHandlers } from "../ws/upgrade.ts";
import type { Heartbeat, Watched } from "./heartbeat.ts";

const IDLE_REASON = "No response from ping frame.";
/** Close code ws sends for a malformed frame. */
const PROTOCOL_ERROR = 1002;
/** The close code ws sends for the errors it reports (1002 otherwise). */
const FAILURE_CODES: Record<string, number> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: CloseCode.tooLarge,
  WS_ERR_INVALID_UTF8: 1007,
};
/** How long a socket that failed (e.g. an oversized frame) gets to read its close frame. */
const ERROR_LINGER_MS = 1000;

/**
 * Connects an open `ws` socket to handlers built for it, and watches it for idleness.
 *
 * @param ws The socket, just upgraded.
 * @param stream Its TCP stream.
 * @param handlersFor Builds the handlers (roomd's session).
 * @param heartbeat The sweep of the socket's idle timeout.
 */
export function wireSocket(
  ws: WebSocket,
  stream: Duplex,
  handlersFor: (socket: Socket) => SocketHandlers,
  heartbeat: Heartbeat,
): void {
  const handlers = handlersFor(ws);
  let expired = false;
  const watched: Watched = {
    silent: 0,
    ping: () => ws.ping(),
    expire() {
      expired = true;
      ws.close(CloseCode.goingAway, IDLE_REASON);
      // A peer that does not answer pings will not finish the closing handshake either.
      ws.terminate();
    },
    end: () => ws.terminate(),
  };
  heartbeat.add(watched);
  ws.on("message", (data, isBinary) => {
    watched.silent = 0;
    handlers.onMessage(
      isBinary
        ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)
        : data.toString(),
    );
  });
  ws.on("pong", () => watched.silent = 0);
  ws.on("ping", () => watched.silent = 0);
  // ws sends the close frame (1009 for a frame over maxPayload, 1002/1007 for protocol errors)
  // and reports the reason here, then reads and drops whatever the peer still sends until it
  // closes (30 s at most): the rest of a 16 MiB frame would pass through memory for nothing.
  // So stop reading once ws has resumed the stream, and end the connection a little later.
  let failedWith: number | undefined;
  ws.on("error", (error: Error & { code?: string }) => {
    failedWith = FAILURE_CODES[error.code ?? ""] ?? PROTOCOL_ERROR;
    setTimeout(() => stream.pause(), 0);
    setTimeout(() => ws.terminate(), ERROR_LINGER_MS);
  });
  ws.once("close", (code, reason) => {
    heartbeat.delete(watched);
    if (expired) handlers.onClose(CloseCode.goingAway, IDLE_REASON);
    // The peer of a failed socket rarely answers its close frame: report the code sent.
    else if (failedWith !== undefined) handlers.onClose(failedWith, "");
    else handlers.onClose(code === 0 ? ABNORMAL_CLOSURE : code, reason.toString());
  });
  // Deno fires `open` after the handler returned its 101; do the same, after this call.
  queueMicrotask(() => handlers.onOpen());
}
