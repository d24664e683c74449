/**
 * A TCP proxy in front of a server, so that a test can drop connections (the client sees a
 * connection lost, 1006) or hold back what the server sends (an ack that never arrives).
 *
 * @module
 */

/** A running proxy. */
export interface Proxy {
  /** The port clients connect to. */
  readonly port: number;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Drops every open connection at once. */
  cut(): void;
  /** While true, bytes from the server are discarded (the client never gets them). */
  swallowReplies: boolean;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1, port 0, forwarding to `targetPort`.
 *
 * @param targetPort The server's port.
 * @returns The proxy.
 */
export function startProxy(targetPort: number): Proxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();
  let accepted = 0;
  const drop = (conn: Deno.Conn) => {
    if (!open.delete(conn)) return;
    try {
      conn.close();
    } catch { /* already closed */ }
  };
  const pump = async (from: Deno.Conn, to: Deno.Conn, discard: () => boolean) => {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await from.read(buffer);
        if (n === null) break;
        if (discard()) continue;
        let written = 0;
        while (written < n) written += await to.write(buffer.subarray(written, n));
      }
    } catch { /* a side was dropped */ }
    drop(from);
    drop(to);
  };
  const proxy: Proxy = {
    port: (listener.addr as Deno.NetAddr).port,
    get origin() {
      return `http://127.0.0.1:${this.port}`;
    },
    get accepted() {
      return accepted;
    },
    swallowReplies: false,
    cut() {
      for (const conn of [...open]) drop(conn);
    },
    async close() {
      listener.close();
      proxy.cut();
      await Promise.allSettled([...tasks, serving]);
    },
  };
  const serving = (async () => {
    try {
      for await (const client of listener) {
        accepted++;
        let server: Deno.Conn;
        try {
          server = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
        } catch {
          client.close();
          continue;
        }
        open.add(client);
        open.add(server);
        const task = Promise.all([
          pump(client, server, () => false),
          pump(server, client, () => proxy.swallowReplies),
        ]).then(() => {});
        tasks.add(task);
        task.finally(() => tasks.delete(task));
      }
    } catch { /* listener closed */ }
  })();
  return proxy;
}
