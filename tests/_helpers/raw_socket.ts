/**
 * A WebSocket client written by hand over TCP, byte for byte: it can announce a frame and
 * never send its payload, and read the server's close code while it is still sending.
 *
 * @module
 */
import { closeOf, readServerFrames } from "./raw_frames.ts";
import { upgradeHeaders } from "./server.ts";

/** An upgraded raw connection. */
export interface RawSocket {
  /** The TCP connection. */
  conn: Deno.Conn;
  /** Bytes read past the 101 head (the server's first frames). */
  rest: Uint8Array;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Upgrades a raw TCP connection, failing unless the answer is 101.
 *
 * @param port Server port on 127.0.0.1.
 * @param origin Origin header value.
 * @param path Path with query.
 * @returns The upgraded connection.
 */
export async function rawWebSocket(port: number, origin: string, path: string): Promise<RawSocket> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const headers = Object.entries(upgradeHeaders(origin)).map(([k, v]) => `${k}: ${v}\r\n`);
  await conn.write(
    new TextEncoder().encode(
      `GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n${headers.join("")}\r\n`,
    ),
  );
  let received: Uint8Array = new Uint8Array(0);
  let end = -1;
  while (end < 0) {
    const chunk = new Uint8Array(4096);
    const n = await conn.read(chunk);
    if (n === null) throw new Error("Cannot upgrade: the connection ended during the handshake");
    received = concat(received, chunk.subarray(0, n));
    end = new TextDecoder("latin1").decode(received).indexOf("\r\n\r\n");
  }
  const head = new TextDecoder().decode(received.subarray(0, end));
  if (!head.startsWith("HTTP/1.1 101")) {
    conn.close();
    throw new Error(`Cannot upgrade: ${head.split("\r\n")[0]}`);
  }
  return { conn, rest: received.subarray(end + 4) };
}

/**
 * The header of a masked text frame of `length` bytes (mask 0, so the payload goes as is).
 *
 * @param length Payload length the header announces.
 * @returns The 14-byte header.
 */
export function frameHeader(length: number): Uint8Array {
  const header = new Uint8Array(14);
  header[0] = 0x81;
  header[1] = 0x80 | 127;
  new DataView(header.buffer).setBigUint64(2, BigInt(length));
  return header;
}

/**
 * Reads server frames until a close frame and returns its code.
 *
 * @param socket The upgraded connection.
 * @returns The close code, or `null` when the connection ended without a close frame.
 */
export async function readCloseCode(socket: RawSocket): Promise<number | null> {
  const frames = await readServerFrames(socket.conn, socket.rest, (frame) => frame.opcode === 8);
  const last = frames.at(-1);
  return last?.opcode === 8 ? closeOf(last).code : null;
}
