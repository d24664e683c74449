/**
 * One `npm:ws` socket wired to roomd's socket handlers: text frames as strings, binary frames
 * as `ArrayBuffer`s, pongs and frames as signs of life for the heartbeat, and every `error`
 * handled (an unhandled one, such as an oversized frame's, would end the process).
 *
 * Idle connections are most of a node's connections, so roomd's state of a socket lives in the
 * socket object itself (ws builds instances of the class {@linkcode wiredSocketClass} returns),
 * which handles its own events without listeners. A broadcast sends one string to every
 * member: the class builds its whole frame once (server frames are not masked, so every
 * recipient gets the same bytes) and writes that buffer to each socket, where ws would encode
 * the text, allocate a header and write both with a vectored write per recipient.
 *
 * @module
 */
// @ts-types="./_ws.d.ts"
import { WebSocket } from "ws";
import { Buffer } from "node:buffer";
import type { Duplex, Writable } from "node:stream";
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
/** ws's `readyState` of an open socket. */
const OPEN = 1;
/** First byte of a whole text frame: FIN and opcode 1. */
const FIN_TEXT = 0x81;

/** A `ws` socket as roomd keeps it: its handlers and its heartbeat standing. */
export interface WiredSocket extends WebSocket, Watched {
  /** Set by the heartbeat when the socket did not answer its pings. */
  expired: boolean;
  /** The close code ws sent for a failure it reported (an oversized frame…). */
  failedWith: number | undefined;
  /** roomd's handlers of the socket's events. */
  handlers: SocketHandlers;
  /** The socket's TCP stream. */
  stream: Duplex;
  /** The sweep that watches the socket. */
  heartbeat: Heartbeat;
}

/**
 * A whole, unmasked text frame (RFC 6455 §5.2), as a server sends it.
 *
 * @param text The frame's text.
 * @returns Header and UTF-8 payload in one buffer.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { textFrame } from "./ws_socket.ts";
 * assert.deepEqual([...textFrame("hi")], [0x81, 2, 0x68, 0x69]);
 * assert.deepEqual([...textFrame("é".repeat(100)).subarray(0, 4)], [0x81, 126, 0, 200]);
 * ```
 */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text);
  const head = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = FIN_TEXT;
  if (head === 2) frame[1] = length;
  else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(text, head, "utf8");
  return frame;
}

/**
 * The socket class for a `WebSocketServer`'s `WebSocket` option: roomd's state as fields of
 * the socket, and a `send` that frames a string sent to many sockets in a row only once.
 *
 * @returns A subclass of ws's `WebSocket`, with its own one-frame cache.
 */
export function wiredSocketClass(): typeof WebSocket {
  let lastText: string | undefined;
  let lastFrame: Buffer = Buffer.alloc(0);
  const frameOf = (text: string): Buffer => {
    if (text !== lastText) {
      lastFrame = textFrame(text);
      lastText = text;
    }
    return lastFrame;
  };
  return class extends WebSocket implements Watched {
    silent = 0;
    expired = false;
    failedWith: number | undefined = undefined;
    handlers: SocketHandlers | undefined = undefined;
    stream: Duplex | undefined = undefined;
    heartbeat: Heartbeat | undefined = undefined;

    // The socket's events are handled here rather than by listeners, which would cost every
    // socket a bigger listener table. `error` never reaches EventEmitter, which would throw it.
    override emit(event: string, ...args: unknown[]): boolean {
      const wired = this as WiredSocket;
      if (wired.handlers === undefined) return event === "error" || super.emit(event, ...args);
      switch (event) {
        case "message":
          onMessage(wired, args[0] as Buffer, args[1] as boolean);
          return true;
        case "ping":
        case "pong":
          wired.silent = 0;
          return true;
        case "error":
          onError(wired, args[0] as Error & { code?: string });
          return true;
        case "close":
          onClose(wired, args[0] as number, args[1] as Buffer);
          return true;
      }
      return super.emit(event, ...args);
    }

    // Written to the TCP stream directly: ws's sender would write the same bytes at once (it
    // queues frames only while compressing, which this transport never does), so frames stay
    // in order with the pings and the close frame it writes. A socket that is no longer open
    // is left to ws, which drops the frame.
    override send(data: string): void {
      if (this.readyState !== OPEN) return super.send(data);
      (this as WiredSocket).stream.write(frameOf(data));
    }

    expire(): void {
      this.expired = true;
      this.close(CloseCode.goingAway, IDLE_REASON);
      // A peer that does not answer pings will not finish the closing handshake either.
      this.terminate();
    }

    end(): void {
      this.terminate();
    }
  };
}

function onMessage(wired: WiredSocket, data: Buffer, isBinary: boolean): void {
  wired.silent = 0;
  wired.handlers.onMessage(
    isBinary
      ? data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)
      : data.toString(),
  );
}

// ws sends the close frame (1009 for a frame over maxPayload, 1002/1007 for protocol errors)
// and reports the reason here, then reads and drops whatever the peer still sends until it
// closes (30 s at most): the rest of a 16 MiB frame would pass through memory for nothing.
// So stop reading once ws has resumed the stream, and end the connection a little later.
function onError(wired: WiredSocket, error: Error & { code?: string }): void {
  wired.failedWith = FAILURE_CODES[error.code ?? ""] ?? PROTOCOL_ERROR;
  setTimeout(() => wired.stream.pause(), 0);
  setTimeout(() => wired.terminate(), ERROR_LINGER_MS);
}

function onClose(wired: WiredSocket, code: number, reason: Buffer): void {
  wired.heartbeat.delete(wired);
  if (wired.expired) wired.handlers.onClose(CloseCode.goingAway, IDLE_REASON);
  // The peer of a failed socket rarely answers its close frame: report the code sent.
  else if (wired.failedWith !== undefined) wired.handlers.onClose(wired.failedWith, "");
  else wired.handlers.onClose(code === 0 ? ABNORMAL_CLOSURE : code, reason.toString());
}

/**
 * An `end` for a socket's TCP stream and ws's frame parser that does nothing when called without
 * arguments once the stream has finished or been destroyed. The parser ends itself on the
 * peer's close frame and the stream after the closing handshake; ws ends both again when the
 * peer's FIN arrives, and the parser once more when the stream closes. Each of those calls made
 * Deno's `node:stream` build an `ERR_STREAM_ALREADY_FINISHED` error that nobody reads, whose
 * source-mapped stack trace made them cost 0.25 ms of CPU per closed connection in a profile.
 *
 * @param args What `end` was given (a chunk, an encoding, a callback).
 * @returns The stream.
 */
export function endUnlessOver(this: Writable, ...args: unknown[]): Writable {
  if (args.length === 0 && (this.writableFinished || this.destroyed)) return this;
  const end = (Object.getPrototypeOf(this) as Writable).end as (...args: unknown[]) => Writable;
  return end.apply(this, args);
}

/**
 * Connects an open `ws` socket to handlers built for it, and watches it for idleness.
 *
 * @param ws The socket, just upgraded (an instance of a {@linkcode wiredSocketClass} class).
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
  const wired = ws as WiredSocket;
  wired.stream = stream;
  wired.heartbeat = heartbeat;
  wired.handlers = handlersFor(wired);
  stream.end = endUnlessOver as Duplex["end"];
  (ws as unknown as { _receiver: Writable })._receiver.end = endUnlessOver as Writable["end"];
  heartbeat.add(wired);
  // Deno fires `open` after the handler returned its 101; do the same, after this call.
  queueMicrotask(() => wired.handlers.onOpen());
}
