/**
 * One `npm:ws` socket wired to roomd's socket handlers: text frames as strings, binary frames
 * as `ArrayBuffer`s, pongs and frames as signs of life for the heartbeat, and an `error`
 * listener on every socket (without one, an oversized frame's error would end the process).
 *
 * Idle connections are most of a node's connections, so a socket keeps one small object (a
 * {@linkcode WiredSocket}) and its listeners are shared functions that find it through `this`.
 *
 * @module
 */
// @ts-types="./_ws.d.ts"
import type { WebSocket } from "ws";
import type { Buffer } from "node:buffer";
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

const WIRED = Symbol("roomd.wired");

/** The state `wireSocket` stored on a socket. */
function wiredOf(ws: WebSocket): WiredSocket {
  return (ws as WebSocket & { [WIRED]: WiredSocket })[WIRED];
}

/** A `ws` socket's state as roomd keeps it: its handlers and its heartbeat standing. */
class WiredSocket implements Watched {
  silent = 0;
  expired = false;
  failedWith: number | undefined = undefined;
  handlers!: SocketHandlers;

  constructor(readonly ws: WebSocket, readonly stream: Duplex, readonly heartbeat: Heartbeat) {}

  ping(): void {
    this.ws.ping();
  }

  expire(): void {
    this.expired = true;
    this.ws.close(CloseCode.goingAway, IDLE_REASON);
    // A peer that does not answer pings will not finish the closing handshake either.
    this.ws.terminate();
  }

  end(): void {
    this.ws.terminate();
  }
}

function onMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  const wired = wiredOf(this);
  wired.silent = 0;
  wired.handlers.onMessage(
    isBinary
      ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)
      : data.toString(),
  );
}

function onPingOrPong(this: WebSocket): void {
  wiredOf(this).silent = 0;
}

// ws sends the close frame (1009 for a frame over maxPayload, 1002/1007 for protocol errors)
// and reports the reason here, then reads and drops whatever the peer still sends until it
// closes (30 s at most): the rest of a 16 MiB frame would pass through memory for nothing.
// So stop reading once ws has resumed the stream, and end the connection a little later.
function onError(this: WebSocket, error: Error & { code?: string }): void {
  const wired = wiredOf(this);
  wired.failedWith = FAILURE_CODES[error.code ?? ""] ?? PROTOCOL_ERROR;
  setTimeout(() => wired.stream.pause(), 0);
  setTimeout(() => wired.ws.terminate(), ERROR_LINGER_MS);
}

function onClose(this: WebSocket, code: number, reason: Buffer): void {
  const wired = wiredOf(this);
  wired.heartbeat.delete(wired);
  if (wired.expired) wired.handlers.onClose(CloseCode.goingAway, IDLE_REASON);
  // The peer of a failed socket rarely answers its close frame: report the code sent.
  else if (wired.failedWith !== undefined) wired.handlers.onClose(wired.failedWith, "");
  else wired.handlers.onClose(code === 0 ? ABNORMAL_CLOSURE : code, reason.toString());
}

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
  const wired = new WiredSocket(ws, stream, heartbeat);
  (ws as WebSocket & { [WIRED]: WiredSocket })[WIRED] = wired;
  wired.handlers = handlersFor(ws);
  heartbeat.add(wired);
  ws.on("message", onMessage);
  ws.on("pong", onPingOrPong);
  ws.on("ping", onPingOrPong);
  ws.on("error", onError);
  ws.once("close", onClose);
  // Deno fires `open` after the handler returned its 101; do the same, after this call.
  queueMicrotask(() => wired.handlers.onOpen());
}
