/**
 * A lean WebSocket client over `node:net`, for the storm and capacity benches: it can bind a
 * chosen loopback source address (`localAddress`; Deno's `WebSocket` and `Deno.connect`
 * cannot), so one process's clients spread over many addresses, and a refused upgrade is
 * reported with its status and `Retry-After`.
 *
 * @module
 */
import net from "node:net";
import { Buffer } from "node:buffer";

/** How an attempt ended before the socket opened. */
export interface Refused {
  /** HTTP status, or 0 when the TCP connection itself failed or broke. */
  status: number;
  /** `Retry-After` in seconds, when the server sent one. */
  retryAfterS: number | null;
  /** The error code of the JSON body, or the network error. */
  code: string;
}

/** Callbacks of one client. */
export interface RawHandlers {
  /** A text frame arrived. */
  onText(text: string): void;
  /** The connection ended (close frame code, or 1006 when it just broke). */
  onClose(code: number): void;
}

/** An open client. */
export interface RawSocket {
  /** Sends a text frame (masked, as a client must). */
  send(text: string): void;
  /** Sends a close frame and ends the connection. */
  close(code?: number): void;
}

/** Where and how to connect. */
export interface RawTarget {
  /** Server host. */
  host: string;
  /** Server port. */
  port: number;
  /** Source address to bind, e.g. `127.0.0.7`. */
  localAddress?: string;
  /** Path and query. */
  path: string;
  /** The `Origin` header. */
  origin: string;
}

const HEAD_END = Buffer.from("\r\n\r\n");

/**
 * Opens a client.
 *
 * @param target Server, source address, path and origin.
 * @param handlers Frame and close callbacks (called only once open).
 * @returns The open socket, or why the upgrade did not happen.
 */
export function openRaw(target: RawTarget, handlers: RawHandlers): Promise<RawSocket | Refused> {
  return new Promise((resolve) => {
    const socket = net.connect({
      host: target.host,
      port: target.port,
      localAddress: target.localAddress,
    });
    socket.setNoDelay(true);
    let head: Buffer | null = Buffer.alloc(0);
    let reader: FrameReader | null = null;
    let settled = false;
    const refuse = (refusal: Refused, graceful = false) => {
      if (settled) return;
      settled = true;
      if (graceful) socket.end();
      else socket.destroy();
      resolve(refusal);
    };
    socket.on("connect", () => {
      const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
      socket.write(
        `GET ${target.path} HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\n` +
          `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\n` +
          `Sec-WebSocket-Version: 13\r\nOrigin: ${target.origin}\r\n\r\n`,
      );
    });
    socket.on("data", (chunk: Buffer) => {
      if (reader !== null) return reader.push(chunk);
      head = Buffer.concat([head!, chunk]);
      const end = head.indexOf(HEAD_END);
      if (end < 0) return;
      const text = head.subarray(0, end).toString("latin1");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      if (status !== 101) {
        // Read the whole body before hanging up: a reset while the server writes it is noise.
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(text)?.[1] ?? 0);
        if (head.length < end + 4 + length) return;
        const retry = /\r\nretry-after:\s*(\d+)/i.exec(text);
        const body = head.subarray(end + 4).toString("utf8");
        refuse({
          status,
          retryAfterS: retry ? Number(retry[1]) : null,
          code: /"code":"([^"]+)"/.exec(body)?.[1] ?? "",
        }, true);
        return;
      }
      settled = true;
      const rest = head.subarray(end + 4);
      head = null;
      reader = new FrameReader(socket, handlers);
      resolve(openSocket(socket));
      if (rest.length > 0) reader.push(rest);
    });
    socket.on(
      "error",
      (error: Error & { code?: string }) =>
        refuse({ status: 0, retryAfterS: null, code: error.code ?? error.message }),
    );
    socket.on("close", () => {
      if (!settled) refuse({ status: 0, retryAfterS: null, code: "closed" });
      else reader?.end();
    });
  });
}

function openSocket(socket: net.Socket): RawSocket {
  return {
    send: (text) => socket.write(maskedFrame(0x1, Buffer.from(text, "utf8"))),
    close: (code = 1000) => {
      const payload = Buffer.alloc(2);
      payload.writeUInt16BE(code);
      socket.end(maskedFrame(0x8, payload));
    },
  };
}

/**
 * Encodes a client frame: FIN set, the payload masked with a random key.
 *
 * @param opcode Frame opcode.
 * @param payload Payload bytes.
 * @returns The frame.
 */
export function maskedFrame(opcode: number, payload: Uint8Array): Buffer {
  const length = payload.length;
  const extra = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const frame = Buffer.alloc(2 + extra + 4 + length);
  frame[0] = 0x80 | opcode;
  if (extra === 0) frame[1] = 0x80 | length;
  else if (extra === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  const mask = crypto.getRandomValues(new Uint8Array(4));
  frame.set(mask, 2 + extra);
  const at = 6 + extra;
  for (let i = 0; i < length; i++) frame[at + i] = payload[i] ^ mask[i & 3];
  return frame;
}

/** Reads server frames (unmasked) across chunks; answers pings; reports text and close. */
class FrameReader {
  #buffer: Buffer = Buffer.alloc(0);
  #closed = false;
  readonly #socket: net.Socket;
  readonly #handlers: RawHandlers;

  constructor(socket: net.Socket, handlers: RawHandlers) {
    this.#socket = socket;
    this.#handlers = handlers;
  }

  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const b = this.#buffer;
      if (b.length < 2) return;
      let length = b[1] & 0x7f;
      let at = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        at = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        at = 10;
      }
      if (b.length < at + length) return;
      const opcode = b[0] & 0x0f;
      const payload = b.subarray(at, at + length);
      this.#buffer = b.subarray(at + length);
      if (opcode === 0x1) this.#handlers.onText(payload.toString("utf8"));
      else if (opcode === 0x9) this.#socket.write(maskedFrame(0xa, payload));
      else if (opcode === 0x8) {
        this.#finish(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
        this.#socket.end();
        return;
      }
    }
  }

  end(): void {
    this.#finish(1006);
  }

  #finish(code: number): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.onClose(code);
  }
}
