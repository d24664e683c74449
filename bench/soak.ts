/**
 * The soak: a roomd child on either transport holds 2,000 connections over 100 rooms with
 * steady chat (one message a second per room) and churn (clients leave and new ones join every
 * second) for a while, then reports delivered vs expected for connected members, resident
 * memory over time (its slope after warm-up), and errors by code. Exits 1 when a delivery was
 * lost or memory grew (see `_soak_memory.ts`).
 *
 * ```sh
 * deno task soak [--duration 10m] [--transport native|ws] [--connections 2000] [--rooms 100]
 *   [--churn 20] [--collect] [--json]
 * ```
 *
 * `--collect` reads memory right after a forced full collection (SIGUSR2, see
 * `_gc_on_signal.ts`, which then returns the allocator's free memory to the system): what the
 * server still holds rather than the garbage V8 has not collected yet. A short run needs it: on
 * `ws` the heap grows for about 100 s before V8's first major collection of the soak, which a
 * 60 s run cannot tell from a leak.
 *
 * One process holds the clients: 2,000 sockets are far below a usual open-file limit.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { collectGarbage, startServer, startTaskArgs } from "./_child.ts";
import { clientPath } from "./_connect.ts";
import { takeGcReadings } from "./_heap_reading.ts";
import { sampleProcess } from "./_proc.ts";
import { DeliveryLedger } from "./_soak_ledger.ts";
import { type MemorySample, memoryTrend } from "./_soak_memory.ts";
import { sleep } from "./_window.ts";

/** A soak client. */
interface Client {
  room: number;
  socket: WebSocket;
  open: boolean;
  welcomed: boolean;
  leaving: boolean;
}

/** How long after sending a message its deliveries are checked. */
const CHECK_AFTER_MS = 3000;
/** How long a forced collection is given before memory is read (`--collect`). */
const COLLECT_WAIT_MS = 250;

/**
 * Parses `60s`, `10m`, `1h` or plain seconds.
 *
 * @param text The value.
 * @returns Seconds, or `NaN`.
 */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (!match) return NaN;
  return Number(match[1]) * ({ s: 1, m: 60, h: 3600 }[match[2] ?? "s"] ?? 1);
}

const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      duration: { type: "string", default: "10m" },
      transport: { type: "string", default: "native" },
      connections: { type: "string", default: "2000" },
      rooms: { type: "string", default: "100" },
      churn: { type: "string", default: "20" },
      collect: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const durationS = parseDuration(values.duration);
  const connections = Number(values.connections);
  const rooms = Number(values.rooms);
  const churn = Number(values.churn);
  if (
    !(durationS >= 10) || !["native", "ws"].includes(values.transport) ||
    !Number.isInteger(connections) || !Number.isInteger(rooms) || rooms < 1 ||
    connections < rooms * 2 || !Number.isInteger(churn) || churn < 0
  ) {
    console.error(
      "Invalid arguments: --duration ≥ 10s (60s, 10m), --transport native|ws, --connections " +
        "≥ 2 × --rooms, --churn ≥ 0",
    );
    return 2;
  }
  const secret = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(24))));
  const server = await startServer(`soak-${values.transport}`, startTaskArgs(), {
    ROOMD_JWT_SECRET: secret,
    ROOMD_TRANSPORT: values.transport,
    ROOMD_LOG_LEVEL: "warn",
    ROOMD_MSG_RATE: "1000",
    ROOMD_MSG_BURST: "1000",
    ROOMD_JOIN_RATE: "1000000",
    ROOMD_MAX_CONNECTIONS_PER_IP: "1000000",
    ROOMD_USERS_CAN_CREATE_ROOMS: "true",
    ROOMD_SHUTDOWN_TIMEOUT_MS: "1000",
  }, values.collect);
  if (typeof server === "string") {
    console.error(server);
    return 1;
  }
  const ledger = new DeliveryLedger<Client>();
  const members: Set<Client>[] = Array.from({ length: rooms }, () => new Set());
  const errors = new Map<string, number>();
  const closes = new Map<string, number>();
  let users = 0;
  let joined = 0;
  let failedJoins = 0;

  const connect = async (room: number): Promise<void> => {
    const path = await clientPath({ room: `soak-${room}`, user: `soak-${++users}` }, secret);
    const socket = new WebSocket(`${server.url}${path}`, {
      headers: { origin: server.url.replace(/^ws/, "http") },
    } as unknown as string[]);
    const client: Client = { room, socket, open: false, welcomed: false, leaving: false };
    const opened = Promise.withResolvers<void>();
    socket.onopen = () => {
      client.open = true;
      opened.resolve();
    };
    socket.onmessage = (event) => {
      const frame = JSON.parse(event.data as string);
      if (frame.type === "chat") ledger.received(frame.data.text, client);
      else if (frame.type === "system" && frame.data?.event === "welcome") {
        client.welcomed = true;
        members[room].add(client);
        joined++;
      } else if (frame.type === "error") count(errors, `error ${frame.data?.code}`);
    };
    socket.onclose = (event) => {
      if (client.leaving) {
        // closed by the churn
      } else if (!client.open) {
        failedJoins++;
        count(errors, "connect_failed");
        opened.resolve();
      } else count(closes, `closed by server ${event.code}`);
      client.open = false;
      members[room].delete(client);
    };
    socket.onerror = () => {};
    await opened.promise;
  };

  const started = performance.now();
  const elapsedS = () => (performance.now() - started) / 1000;
  for (let i = 0; i < connections; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, connections - i) }, (_, k) => connect((i + k) % rooms)),
    );
  }
  console.error(`${connections} clients connected in ${elapsedS().toFixed(1)} s`);

  const memory: MemorySample[] = [];
  const soakStart = performance.now();
  const soakS = () => (performance.now() - soakStart) / 1000;
  let sequence = 0;
  let tick = 0;
  while (soakS() < durationS) {
    tick++;
    for (let room = 0; room < rooms; room++) {
      const ready = [...members[room]].filter((c) => c.welcomed && c.open);
      if (ready.length < 2) continue;
      const sender = ready[Math.floor(Math.random() * ready.length)];
      const id = `m${++sequence}`;
      ledger.sent(id, ready.filter((c) => c !== sender), performance.now() + CHECK_AFTER_MS);
      sender.socket.send(JSON.stringify({ type: "chat", data: { text: id } }));
    }
    for (let i = 0; i < churn; i++) {
      const room = Math.floor(Math.random() * rooms);
      const leaving = [...members[room]][0];
      if (leaving) {
        leaving.leaving = true;
        leaving.open = false;
        members[room].delete(leaving);
        leaving.socket.close(1000, "churn");
      }
      connect(room);
    }
    ledger.check(performance.now());
    const failed = values.collect ? await collectGarbage([server.pid], COLLECT_WAIT_MS) : null;
    if (failed !== null) count(errors, failed);
    const heapKb = values.collect ? takeGcReadings([server.pid])?.heapKb ?? null : null;
    const sample = sampleProcess(server.pid);
    if (sample) memory.push({ atS: soakS(), rssMiB: sample.rssKb / 1024 });
    if (tick % 5 === 0) {
      const t = ledger.totals;
      console.error(
        `${soakS().toFixed(0)} s: ${t.delivered}/${t.expected} delivered, ` +
          `rss ${memory.at(-1)?.rssMiB.toFixed(1)} MiB` +
          (heapKb === null ? "" : `, JS heap ${(heapKb / 1024).toFixed(1)} MiB`),
      );
    }
    await sleep(values.collect ? 1000 - COLLECT_WAIT_MS : 1000);
  }
  await sleep(CHECK_AFTER_MS);
  ledger.check(Infinity);
  // Warm-up: the first minute, or half of a shorter soak (the heap grows to its working size).
  const trend = memoryTrend(memory, Math.min(60, durationS / 2));
  const t = ledger.totals;
  const deliveredPct = t.expected === 0 ? 0 : (100 * t.delivered) / t.expected;
  const report = {
    transport: values.transport,
    durationS: Math.round(soakS()),
    connections,
    rooms,
    churnPerS: churn,
    collected: values.collect,
    messages: t.messages,
    expected: t.expected,
    delivered: t.delivered,
    deliveredPct,
    joins: joined,
    failedJoins,
    memory: trend,
    rssMiB: memory.map((s) => [Math.round(s.atS), Math.round(s.rssMiB * 10) / 10]),
    errors: Object.fromEntries([...errors, ...closes]),
  };
  for (const room of members) for (const client of room) client.socket.close(1000, "done");
  await server.stop();
  const ok = t.expected > 0 && t.delivered === t.expected && trend !== null && !trend.grows;
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else {
    console.log(
      `soak on ${report.transport}: ${report.durationS} s, ${connections} connections over ` +
        `${rooms} rooms, churn ${churn}/s (${joined} joins, ${failedJoins} failed)\n` +
        `delivered ${t.delivered} of ${t.expected} expected (${deliveredPct.toFixed(3)} %) ` +
        `over ${t.messages} messages\n` +
        `resident memory after warm-up${
          values.collect ? " (each read after a collection and malloc_trim)" : ""
        }: slope ${trend?.slopeMiBPerMin.toFixed(2)} MiB/min, ` +
        `median ${trend?.firstMiB.toFixed(1)} MiB first third → ` +
        `${trend?.lastMiB.toFixed(1)} MiB last third${trend?.grows ? " (GROWS)" : ""}\n` +
        `errors by code: ${JSON.stringify(report.errors)}\n${ok ? "PASS" : "FAIL"}`,
    );
  }
  return ok ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
