/**
 * Measures how a server treats connections that never finish their request head (slowloris):
 * opens N TCP connections, each sending a partial request head and then one header line every
 * few seconds (or nothing), and reports how many the server has closed after a while. It shows
 * the runtime's behaviour; SECURITY.md records the figures and the proxy settings that bound it.
 *
 * ```sh
 * deno run -A bench/slowloris.ts --port 8080 --connections 300 --seconds 60 [--trickle-s 5]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";

/** What one run found. */
export interface SlowlorisResult {
  /** Connections opened. */
  opened: number;
  /** Connections the server closed before the end. */
  closedByServer: number;
  /** Seconds waited. */
  seconds: number;
}

/**
 * Opens the connections, waits, and counts the ones the server closed.
 *
 * @param port Server port on `hostname`.
 * @param connections How many connections.
 * @param seconds How long to hold them.
 * @param trickleS Seconds between header lines; 0 sends nothing after the first line.
 * @param hostname Server address.
 * @returns The counts.
 */
export async function measureSlowloris(
  port: number,
  connections: number,
  seconds: number,
  trickleS: number,
  hostname = "127.0.0.1",
): Promise<SlowlorisResult> {
  const encoder = new TextEncoder();
  const conns: Deno.Conn[] = [];
  const closed = new Set<number>();
  const readers: Promise<void>[] = [];
  for (let i = 0; i < connections; i++) {
    const conn = await Deno.connect({ hostname, port });
    await conn.write(encoder.encode(`GET /healthz HTTP/1.1\r\nHost: ${hostname}:${port}\r\n`));
    conns.push(conn);
    readers.push((async () => {
      const buffer = new Uint8Array(512);
      try {
        while ((await conn.read(buffer)) !== null) { /* discard */ }
      } catch { /* reset by peer */ }
      closed.add(i);
    })());
  }
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, trickleS > 0 ? trickleS * 1000 : 1000));
    if (trickleS <= 0) continue;
    for (const [i, conn] of conns.entries()) {
      if (closed.has(i)) continue;
      conn.write(encoder.encode("X-Slow: 1\r\n")).catch(() => closed.add(i));
    }
  }
  const closedByServer = closed.size;
  for (const conn of conns) {
    try {
      conn.close();
    } catch { /* already closed */ }
  }
  await Promise.all(readers);
  return { opened: connections, closedByServer, seconds };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string" },
      connections: { type: "string", default: "300" },
      seconds: { type: "string", default: "60" },
      "trickle-s": { type: "string", default: "5" },
    },
  });
  if (values.port === undefined) {
    console.error("usage: deno run -A bench/slowloris.ts --port P [--connections N] [--seconds S]");
    Deno.exit(1);
  }
  const result = await measureSlowloris(
    Number(values.port),
    Number(values.connections),
    Number(values.seconds),
    Number(values["trickle-s"]),
    values.host,
  );
  console.log(
    `${result.opened} slow connections, ${result.closedByServer} closed by the server ` +
      `after ${result.seconds} s (${result.opened - result.closedByServer} still open)`,
  );
}
