/**
 * Slow clients: raw TCP connections that complete the WebSocket upgrade by hand and then never
 * read, so the server's queue for them only grows. At the end the tool reads what piled up to
 * learn how the server treated them (a close frame and its code, or a dropped connection).
 *
 * @module
 */
/** An upgraded connection that is not being read. */
export interface SlowClient {
  /** The TCP connection. */
  conn: Deno.TcpConn;
  /** Bytes that arrived with the upgrade response. */
  leftover: Uint8Array;
}

const HEAD_END = new TextEncoder().encode("\r\n\r\n");

/**
 * Connects, sends the upgrade request and reads the response head, then stops reading.
 *
 * @param base Server base URL, `ws://HOST:PORT`.
 * @param path Path and query, as for a normal client.
 * @param origin The `Origin` header.
 * @returns The client, or why the upgrade failed.
 */
export async function openSlowClient(
  base: string,
  path: string,
  origin: string,
): Promise<SlowClient | string> {
  const url = new URL(base);
  let conn: Deno.TcpConn;
  try {
    conn = await Deno.connect({ hostname: url.hostname, port: Number(url.port || 80) });
  } catch (err) {
    return `connect failed: ${(err as Error).message}`;
  }
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  const request = `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\n` +
    `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
    `Origin: ${origin}\r\n\r\n`;
  try {
    await conn.write(new TextEncoder().encode(request));
    let head: Uint8Array = new Uint8Array(0);
    while (indexOf(head, HEAD_END) < 0 && head.length < 16_384) {
      const chunk = new Uint8Array(4096);
      const n = await conn.read(chunk);
      if (n === null) throw new Error("connection closed during the upgrade");
      head = concat(head, chunk.subarray(0, n));
    }
    const end = indexOf(head, HEAD_END);
    const status = new TextDecoder().decode(head.subarray(0, head.indexOf(13)));
    if (end < 0 || !status.includes(" 101 ")) throw new Error(`upgrade refused: ${status}`);
    return { conn, leftover: head.subarray(end + HEAD_END.length) };
  } catch (err) {
    conn.close();
    return (err as Error).message;
  }
}

/**
 * Reads everything the server queued for each client until a close frame, the end of the
 * stream or the deadline, then closes the connections.
 *
 * @param clients The slow clients.
 * @param deadlineMs How long to read in total.
 * @returns Outcome → count: `close <code>`, `eof`, `reset`, or `open` (nothing ended it).
 */
export async function finishSlowClients(
  clients: readonly SlowClient[],
  deadlineMs: number,
): Promise<Record<string, number>> {
  const outcomes: Record<string, number> = {};
  const timer = setTimeout(() => clients.forEach((c) => closeQuietly(c.conn)), deadlineMs);
  const results = await Promise.all(clients.map((c) => readUntilClose(c)));
  clearTimeout(timer);
  for (const outcome of results) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  clients.forEach((c) => closeQuietly(c.conn));
  return outcomes;
}

async function readUntilClose(client: SlowClient): Promise<string> {
  const scanner = new FrameScanner();
  let code = scanner.push(client.leftover);
  const buffer = new Uint8Array(65_536);
  while (code === null) {
    let n: number | null;
    try {
      n = await client.conn.read(buffer);
    } catch (err) {
      const closedByUs = err instanceof Deno.errors.BadResource ||
        err instanceof Deno.errors.Interrupted;
      return closedByUs ? "open" : "reset";
    }
    if (n === null) return "eof";
    code = scanner.push(buffer.subarray(0, n));
  }
  return `close ${code}`;
}

/** Walks server-to-client frames (unmasked) across chunks, looking for a close frame. */
class FrameScanner {
  #header = new Uint8Array(14);
  #have = 0;
  #skip = 0;
  #closing = false;

  /** Feeds bytes; returns the close code once a close frame is complete (1005 if it has none). */
  push(bytes: Uint8Array): number | null {
    let at = 0;
    while (at < bytes.length) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, bytes.length - at);
        this.#skip -= n;
        at += n;
        continue;
      }
      this.#header[this.#have++] = bytes[at++];
      if (this.#have < this.#needed()) continue;
      if (this.#closing) return (this.#header[0] << 8) | this.#header[1];
      const { opcode, length } = this.#parse(this.#have);
      this.#have = 0;
      if (opcode === 8) {
        if (length < 2) return 1005;
        this.#closing = true;
      } else {
        this.#skip = length;
      }
    }
    return null;
  }

  #needed(): number {
    if (this.#closing || this.#have < 2) return 2;
    const len = this.#header[1] & 0x7f;
    return len === 126 ? 4 : len === 127 ? 10 : 2;
  }

  #parse(size: number): { opcode: number; length: number } {
    const h = this.#header;
    const len = h[1] & 0x7f;
    let length = len;
    if (size === 4) length = (h[2] << 8) | h[3];
    if (size === 10) {
      length = 0;
      for (let i = 2; i < 10; i++) length = length * 256 + h[i];
    }
    return { opcode: h[0] & 0x0f, length };
  }
}

function closeQuietly(conn: Deno.TcpConn): void {
  try {
    conn.close();
  } catch {
    // Already closed.
  }
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
