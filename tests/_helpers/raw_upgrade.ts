/**
 * A WebSocket upgrade written by hand over TCP: the test sees the real status, and an admitted
 * socket stays open without a WebSocket client reading it (a non-reader, or an abrupt drop).
 *
 * @module
 */
import { upgradeHeaders } from "./server.ts";

/** The connection and the response head. */
export interface RawUpgrade {
  /** The TCP connection, still open. */
  conn: Deno.Conn;
  /** HTTP status (101 when admitted). */
  status: number;
  /** The response head, without the blank line. */
  head: string;
  /** Whatever was read past the head. */
  rest: string;
  /** The same, as the bytes read (WebSocket frames are not text). */
  restBytes: Uint8Array;
}

/**
 * Sends an upgrade request for `path` and reads the response head.
 *
 * @param port Server port on 127.0.0.1.
 * @param origin Origin header value.
 * @param path Path with query, e.g. `/ws/lobby?token=…`.
 * @returns The open connection and the head.
 */
export async function rawUpgrade(port: number, origin: string, path: string): Promise<RawUpgrade> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const headers = Object.entries(upgradeHeaders(origin)).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  await conn.write(
    new TextEncoder().encode(`GET ${path} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n${headers}\r\n`),
  );
  let bytes = new Uint8Array(0);
  let at = -1;
  while (at < 0) {
    const chunk = await readBytes(conn);
    const joined = new Uint8Array(bytes.length + chunk.length);
    joined.set(bytes);
    joined.set(chunk, bytes.length);
    bytes = joined;
    at = headEnd(bytes);
  }
  const head = new TextDecoder().decode(bytes.subarray(0, at));
  const restBytes = bytes.slice(at + 4);
  const rest = new TextDecoder().decode(restBytes);
  return { conn, status: Number(head.split(" ")[1]), head, rest, restBytes };
}

/**
 * Reads the JSON body of a refused upgrade (by its Content-Length) and closes the connection.
 *
 * @param upgrade A refused upgrade.
 * @returns The parsed body.
 */
export async function readRefusal(upgrade: RawUpgrade): Promise<{ error: { code: string } }> {
  const length = Number(/content-length: *(\d+)/i.exec(upgrade.head)?.[1] ?? "0");
  let body = upgrade.rest;
  while (body.length < length) body += await readChunk(upgrade.conn);
  upgrade.conn.close();
  return JSON.parse(body);
}

async function readChunk(conn: Deno.Conn): Promise<string> {
  return new TextDecoder().decode(await readBytes(conn));
}

async function readBytes(conn: Deno.Conn): Promise<Uint8Array> {
  const buffer = new Uint8Array(4096);
  const n = await conn.read(buffer);
  if (n === null) throw new Error("connection closed before the response was read");
  return buffer.subarray(0, n);
}

/** Where the blank line after the response head starts, or -1. */
function headEnd(bytes: Uint8Array): number {
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) {
      return i;
    }
  }
  return -1;
}
