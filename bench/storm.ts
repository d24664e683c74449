/**
 * Benches beyond one load process: clients spread over several worker processes (each below
 * the per-process file limit) and many loopback source addresses (127.0.0.2, .3, …).
 *
 * ```sh
 * deno task bench:storm --mode storm [--clients 10000] [--rooms 100] [--limits raised|default]
 * deno task bench:storm --mode capacity [--clients 19000] [--rooms 1000] [--chat-rooms 100]
 * ```
 *
 * Either mode takes `--transport native|ws` (`ROOMD_TRANSPORT` of the server; native by default).
 *
 * `storm`: every client connects, the server publishes into every room (1 msg/s per room by
 * HTTP), then the server is restarted (SIGTERM, start again on the same port and data) while
 * publishing goes on; every client reconnects at once and resumes with `?since=&epoch=`. It
 * reports the time until every client had its new welcome, refusals by status, and whether
 * each client got every message of its room exactly once. With `--limits default` the server
 * keeps its default connection limits: clients retry as `Retry-After` says for `--seconds`, and
 * the refusals are counted by status (429/503 with `Retry-After` expected, nothing else).
 *
 * `capacity`: connects every client, reads the server's memory (also after a forced full
 * collection), then one client in each of `--chat-rooms` rooms chats at 1 msg/s for
 * `--seconds`: server CPU, latency percentiles, and the memory projected to 100,000
 * connections.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { denoCommand, freePort, startTaskArgs, withGcOnSignal } from "./_child.ts";
import { sampleProcess } from "./_proc.ts";
import { percentile } from "./_stats.ts";
import { sleep } from "./_window.ts";
import type { WorkerPlan } from "./_storm_worker.ts";
import { mintToken } from "../src/auth/mint.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    mode: { type: "string", default: "storm" },
    clients: { type: "string" },
    rooms: { type: "string" },
    workers: { type: "string", default: "4" },
    addresses: { type: "string", default: "50" },
    limits: { type: "string", default: "raised" },
    "chat-rooms": { type: "string", default: "100" },
    seconds: { type: "string", default: "30" },
    concurrency: { type: "string", default: "200" },
    transport: { type: "string", default: "native" },
  },
});
if (!["native", "ws"].includes(values.transport)) {
  console.error("Invalid --transport: native or ws");
  Deno.exit(2);
}
const mode = values.mode;
const capacity = mode === "capacity";
const total = Number(values.clients ?? (capacity ? 19_000 : 10_000));
const roomCount = Number(values.rooms ?? (capacity ? 1000 : 100));
const workerCount = Number(values.workers);
const seconds = Number(values.seconds);
const raised = values.limits !== "default";
const addresses = Array.from({ length: Number(values.addresses) }, (_, i) => `127.0.0.${i + 2}`);
const secret = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(24))));
const port = freePort();
const dataDir = await Deno.makeTempDir({ prefix: "roomd-storm-" });
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

const env: Record<string, string> = {
  PORT: String(port),
  HOST: "127.0.0.1",
  ROOMD_DATA_DIR: dataDir,
  ROOMD_JWT_SECRET: secret,
  ROOMD_LOG_LEVEL: "error",
  ROOMD_SHUTDOWN_TIMEOUT_MS: "3000",
  ROOMD_TRANSPORT: values.transport,
  ...(raised
    ? {
      ROOMD_JOIN_RATE: "1000000",
      ROOMD_MAX_CONNECTIONS: String(total + 500),
      ROOMD_MAX_CONNECTIONS_PER_IP: "1000000",
    }
    : {}),
};

interface Server {
  child: Deno.ChildProcess;
  pid: number;
}

async function startRoomd(): Promise<Server> {
  const args = capacity ? withGcOnSignal(startTaskArgs()) : startTaskArgs();
  const child = denoCommand(args, env).spawn();
  child.stdout.pipeTo(Deno.stderr.writable, { preventClose: true }).catch(() => {});
  child.stderr.pipeTo(Deno.stderr.writable, { preventClose: true }).catch(() => {});
  for (let i = 0; i < 300; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return { child, pid: child.pid };
    } catch {
      await sleep(100);
    }
  }
  throw new Error("Cannot start roomd: not listening after 30 s");
}

/** A worker process and its stream of events. */
class Worker {
  readonly child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #waiting = new Map<string, (event: Record<string, unknown>) => void>();
  readonly #seen = new Map<string, Record<string, unknown>>();

  constructor(plan: WorkerPlan) {
    this.child = new Deno.Command("sh", {
      args: [
        "-c",
        'ulimit -n "$(ulimit -Hn)"; exec "$@"',
        "sh",
        Deno.execPath(),
        "run",
        "-A",
        new URL("./_storm_worker.ts", import.meta.url).pathname,
        planFile(plan),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.child.stdin.getWriter();
    this.#read();
  }

  async #read(): Promise<void> {
    let rest = "";
    for await (const chunk of this.child.stdout.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        const event = JSON.parse(line);
        this.#seen.set(event.event, event);
        this.#waiting.get(event.event)?.(event);
        this.#waiting.delete(event.event);
      }
    }
  }

  /** Resolves with the next event of this name (or the last one, if it came already). */
  next(name: string, fresh = false): Promise<Record<string, unknown>> {
    const seen = this.#seen.get(name);
    if (seen !== undefined && !fresh) return Promise.resolve(seen);
    this.#seen.delete(name);
    return new Promise((resolve) => this.#waiting.set(name, resolve));
  }

  async send(command: string): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(command + "\n"));
  }
}

/** Writes a worker's plan into the run's data directory (too long for an argument). */
function planFile(plan: WorkerPlan): string {
  const path = `${dataDir}/plan-${crypto.randomUUID()}.json`;
  Deno.writeTextFileSync(path, JSON.stringify(plan));
  return path;
}

function plans(): WorkerPlan[] {
  const perWorker = Math.ceil(total / workerCount);
  const chatRooms = Number(values["chat-rooms"]);
  const all = Array.from({ length: total }, (_, i) => ({
    room: `storm-${i % roomCount}`,
    user: `storm-u${i}`,
  }));
  return Array.from({ length: workerCount }, (_, w) => {
    const clients = all.slice(w * perWorker, (w + 1) * perWorker);
    const publishers = capacity
      ? clients.flatMap((c, i) =>
        w * perWorker + i < roomCount && Number(c.room.slice(6)) < chatRooms ? [i] : []
      )
      : [];
    return {
      host: "127.0.0.1",
      port,
      secret,
      clients,
      addresses,
      concurrency: Number(values.concurrency),
      publishers,
      reconnect: !capacity,
    };
  });
}

/** Publishes into every room by HTTP, retrying while the server is away. */
function startPublisher(admin: string, perRoomRate: number): { stop(): Promise<number> } {
  let stopped = false;
  let published = 0;
  const loop = async (room: number) => {
    while (!stopped) {
      const due = performance.now() + 1000 / perRoomRate;
      for (;;) {
        try {
          const response = await fetch(
            `http://127.0.0.1:${port}/api/rooms/storm-${room}/messages`,
            {
              method: "POST",
              headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
              body: JSON.stringify({ type: "system", data: { n: published } }),
            },
          );
          await response.body?.cancel();
          if (response.status === 201) break;
        } catch {
          // The server is restarting.
        }
        if (stopped) return;
        await sleep(50);
      }
      published++;
      await sleep(Math.max(0, due - performance.now()));
    }
  };
  const loops = Array.from({ length: roomCount }, (_, room) => loop(room));
  return {
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return published;
    },
  };
}

function addCounts(into: Record<string, number>, from: unknown): void {
  for (const [k, v] of Object.entries((from ?? {}) as Record<string, number>)) {
    into[k] = (into[k] ?? 0) + v;
  }
}

let server = await startRoomd();
const rssBefore = sampleProcess(server.pid)!;
log(
  `roomd pid ${server.pid} on port ${port}; ${total} clients in ${roomCount} rooms, ` +
    `${workerCount} workers, ${addresses.length} source addresses, limits ${values.limits}`,
);
const connectStarted = performance.now();
const workers = plans().map((plan) => new Worker(plan));
const ready = raised || capacity
  ? await Promise.all(workers.map((w) => w.next("ready")))
  : await Promise.race([
    Promise.all(workers.map((w) => w.next("ready"))),
    sleep(seconds * 1000).then(() => null),
  ]);
const report: Record<string, unknown> = {
  mode,
  transport: values.transport,
  clients: total,
  rooms: roomCount,
};
if (ready === null) {
  // Default limits: the connect storm itself is the measurement.
  log("default limits: counting refusals");
  const refusals: Record<string, number> = {};
  const missingRetryAfter: Record<string, number> = {};
  let open = 0;
  for (const w of workers) {
    const next = w.next("refusals", true);
    await w.send("refusals");
    const event = await next;
    addCounts(refusals, event.refusals);
    addCounts(missingRetryAfter, event.missingRetryAfter);
    open += event.open as number;
    await w.send("close");
  }
  report.connectedWithinWindow = open;
  report.refusalsWithoutRetryAfter = missingRetryAfter;
  report.note = `default limits: ${seconds} s of connection attempts, retrying per Retry-After`;
  report.refusals = refusals;
} else {
  const connectMs = performance.now() - connectStarted;
  report.connectAllMs = Math.round(connectMs);
  report.connectServerCpuS = (sampleProcess(server.pid)?.cpuSeconds ?? NaN) - rssBefore.cpuSeconds;
  const refusals: Record<string, number> = {};
  for (const r of ready) addCounts(refusals, r.refusals);
  report.connectRefusals = refusals;
  log(`all ${total} connected in ${connectMs.toFixed(0)} ms`);
  if (capacity) await capacityRun(report);
  else await stormRun(report);
  for (const w of workers) await w.send("close");
}
await Promise.all(workers.map((w) => w.child.status));
server.child.kill("SIGTERM");
await server.child.status;
await Deno.remove(dataDir, { recursive: true }).catch(() => {});
console.log(JSON.stringify(report, null, 2));

async function stormRun(report: Record<string, unknown>): Promise<void> {
  const admin = await mintToken(secret, { sub: "storm-admin", admin: true }, "1h");
  const publisher = startPublisher(admin, 1);
  await sleep(3000);
  const backs = workers.map((w) => w.next("back", true));
  const stopAt = Date.now();
  log("restarting roomd");
  server.child.kill("SIGTERM");
  await server.child.status;
  const downAt = Date.now();
  server = await startRoomd();
  const upAt = Date.now();
  log(`roomd back up (pid ${server.pid}) after ${upAt - stopAt} ms`);
  const back = await Promise.race([Promise.all(backs), sleep(120_000).then(() => null)]);
  if (back === null) report.error = "not every client was back after 120 s";
  else {
    const last = Math.max(...back.map((b) => b.at as number));
    report.restart = {
      stopToExitMs: downAt - stopAt,
      stopToListeningMs: upAt - stopAt,
      stopToAllBackMs: last - stopAt,
      listeningToAllBackMs: last - upAt,
    };
    const refusals: Record<string, number> = {};
    const closes: Record<string, number> = {};
    const missingRetryAfter: Record<string, number> = {};
    for (const b of back) {
      addCounts(refusals, b.refusals);
      addCounts(closes, b.closes);
      addCounts(missingRetryAfter, b.missingRetryAfter);
    }
    report.serverCloses = closes;
    report.reconnectRefusals = refusals;
    report.refusalsWithoutRetryAfter = missingRetryAfter;
    log(`every client back ${last - stopAt} ms after the stop`);
  }
  await sleep(3000);
  report.published = await publisher.stop();
  await sleep(2000);
  const verified = await Promise.all(workers.map(async (w) => {
    await w.send("verify");
    return await w.next("verified");
  }));
  const sum: Record<string, number> = {};
  for (const v of verified) {
    const { event: _event, serverGoneAt: _at, ...counts } = v;
    addCounts(sum, counts);
  }
  report.delivery = sum;
}

async function capacityRun(report: Record<string, unknown>): Promise<void> {
  await sleep(5000);
  const raw = sampleProcess(server.pid)!;
  Deno.kill(server.pid, "SIGUSR2");
  await sleep(3000);
  const afterGc = sampleProcess(server.pid)!;
  const perConnRaw = (raw.rssKb - rssBefore.rssKb) / total;
  const perConnGc = (afterGc.rssKb - rssBefore.rssKb) / total;
  report.memory = {
    rssBeforeMb: rssBefore.rssKb / 1024,
    rssAfterMb: raw.rssKb / 1024,
    rssAfterGcMb: afterGc.rssKb / 1024,
    kbPerConnection: perConnRaw,
    kbPerConnectionAfterGc: perConnGc,
    projected100kGb: (rssBefore.rssKb + 100_000 * perConnRaw) / 1024 / 1024,
    projected100kAfterGcGb: (rssBefore.rssKb + 100_000 * perConnGc) / 1024 / 1024,
  };
  for (const w of workers) await w.send("publish 1");
  await sleep(3000);
  for (const w of workers) {
    await w.send("latency");
    await w.next("latency", true);
  }
  const cpuStart = sampleProcess(server.pid)!;
  const windowStart = performance.now();
  await sleep(seconds * 1000);
  const cpuEnd = sampleProcess(server.pid)!;
  const elapsedS = (performance.now() - windowStart) / 1000;
  const samples: number[] = [];
  let sent = 0;
  for (const w of workers) {
    const next = w.next("latency", true);
    await w.send("latency");
    const event = await next;
    samples.push(...(event.samples as number[]));
    sent += event.sent as number;
  }
  for (const w of workers) await w.send("publish 0");
  const sorted = Float64Array.from(samples).sort();
  const cpuS = cpuEnd.cpuSeconds - cpuStart.cpuSeconds;
  report.chat = {
    seconds: elapsedS,
    deliveries: samples.length,
    deliveriesPerSec: samples.length / elapsedS,
    latencyMs: {
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: percentile(sorted, 100),
    },
    serverCpuPct: (100 * cpuS) / elapsedS,
    serverCpuUsPerDelivery: (1e6 * cpuS) / samples.length,
    rssPeakMb: cpuEnd.rssKb / 1024,
    publishedTotal: sent,
  };
}
