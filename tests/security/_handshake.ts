/**
 * A WebSocket handshake written by hand over TCP, with any headers (a rebinding `Host`
 * included): the matrices see the real status and error code of every attempt, 101 included.
 *
 * @module
 */

/** What the server answered. */
export interface HandshakeAnswer {
  /** HTTP status (101 when admitted). */
  status: number;
  /** `error.code` of a refusal, `null` for 101. */
  code: string | null;
  /** The response head, lower-cased names. */
  head: string;
}

/**
 * Sends an upgrade request and reads the answer; the connection is closed afterwards.
 *
 * @param port Server port on 127.0.0.1.
 * @param path Path with query.
 * @param headers Headers on top of the upgrade headers (`host` replaces the default).
 * @returns Status and error code.
 */
export async function handshake(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<HandshakeAnswer> {
  const all: Record<string, string> = {
    host: `127.0.0.1:${port}`,
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    "sec-websocket-version": "13",
    ...headers,
  };
  const lines = Object.entries(all).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(`GET ${path} HTTP/1.1\r\n${lines}\r\n`));
    let text = "";
    const decoder = new TextDecoder();
    const buffer = new Uint8Array(16384);
    while (!text.includes("\r\n\r\n")) {
      const n = await conn.read(buffer);
      if (n === null) throw new Error("connection closed before the response head");
      text += decoder.decode(buffer.subarray(0, n));
    }
    const at = text.indexOf("\r\n\r\n");
    const head = text.slice(0, at);
    const status = Number(head.split(" ")[1]);
    if (status === 101) return { status, code: null, head };
    const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? "0");
    let body = text.slice(at + 4);
    while (new TextEncoder().encode(body).length < length) {
      const n = await conn.read(buffer);
      if (n === null) break;
      body += decoder.decode(buffer.subarray(0, n));
    }
    return { status, code: JSON.parse(body).error?.code ?? null, head };
  } finally {
    conn.close();
  }
}
