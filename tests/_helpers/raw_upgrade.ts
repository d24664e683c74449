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
  let text = "";
  while (!text.includes("\r\n\r\n")) text += await readChunk(conn);
  const at = text.indexOf("\r\n\r\n");
  const head = text.slice(0, at);
  return { conn, status: Number(head.split(" ")[1]), head, rest: text.slice(at + 4) };
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
  const buffer = new Uint8Array(4096);
  const n = await conn.read(buffer);
  if (n === null) throw new Error("connection closed before the response was read");
  return new TextDecoder().decode(buffer.subarray(0, n));
}
