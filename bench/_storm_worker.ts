/**
 * One client process of `bench/storm.ts`: holds its share of the clients (raw sockets bound to
 * loopback source addresses), reconnects and resumes them when the server goes away, records
 * every message id and chat latency, and checks at the end that each client got every message
 * of its room exactly once. Commands arrive as lines on stdin (`publish <rate>`, `verify`,
 * `latency`, `close`); events leave as JSON lines on stdout.
 *
 * @module
 */
import { mintToken } from "../src/auth/mint.ts";
import { openRaw, type RawSocket } from "./_raw_ws.ts";
import { sleep } from "./_window.ts";

/** What the coordinator gives a worker (as a JSON file, named by its only argument). */
export interface WorkerPlan {
  /** Server host and port. */
  host: string;
  port: number;
  /** HS256 secret. */
  secret: string;
  /** The clients: room and user. */
  clients: { room: string; user: string }[];
  /** Source addresses, used round-robin. */
  addresses: string[];
  /** Attempts in flight at once. */
  concurrency: number;
  /** Indexes (into `clients`) of the clients that publish chat when told to. */
  publishers: number[];
  /** Reconnect and resume after the server closes the socket. */
  reconnect: boolean;
}

interface Client {
  room: string;
  token: string;
  address: string;
  socket: RawSocket | null;
  epoch: string;
  /** `last_id` of the first welcome: every id after it is owed. */
  firstLastId: number;
  lastId: number;
  ids: number[];
  welcomes: number;
  recovered: boolean | null;
  disorder: number;
}

const plan: WorkerPlan = JSON.parse(Deno.readTextFileSync(Deno.args[0]));
const origin = `http://${plan.host}:${plan.port}`;
const refusals: Record<string, number> = {};
const closes: Record<string, number> = {};
const missingRetryAfter: Record<string, number> = {};
const latencies: number[] = [];
let closedByUs = false;
let backPending = 0;
let serverGoneAt = 0;

const emit = (event: Record<string, unknown>) => console.log(JSON.stringify(event));
const nowMs = () => performance.timeOrigin + performance.now();

const clients: Client[] = await Promise.all(plan.clients.map(async (spec, i) => ({
  room: spec.room,
  token: await mintToken(plan.secret, { sub: spec.user, name: spec.user }, "2h"),
  address: plan.addresses[i % plan.addresses.length],
  socket: null,
  epoch: "",
  firstLastId: -1,
  lastId: 0,
  ids: [],
  welcomes: 0,
  recovered: null,
  disorder: 0,
})));

function onText(client: Client, text: string): void {
  const frame = JSON.parse(text);
  if (frame.type === "system" && frame.data?.event === "welcome") {
    client.epoch = frame.data.epoch;
    if (client.welcomes++ === 0) client.firstLastId = client.lastId = frame.data.last_id;
    else {
      client.recovered = frame.data.recovered === true;
      if (--backPending === 0) {
        emit({ event: "back", at: Date.now(), refusals, closes, missingRetryAfter });
      }
    }
    return;
  }
  if (typeof frame.id === "number") {
    if (frame.id <= client.lastId) client.disorder++;
    else {
      client.ids.push(frame.id);
      client.lastId = frame.id;
    }
  }
  if (frame.type === "chat" && typeof frame.data?.text === "string") {
    latencies.push(nowMs() - Number(frame.data.text.slice(0, frame.data.text.indexOf("|"))));
  }
}

/** Connects one client until it is open, honouring `Retry-After`; counts every refusal. */
async function connect(client: Client, resume: boolean): Promise<void> {
  for (;;) {
    const query = new URLSearchParams({ token: client.token });
    if (resume) {
      query.set("since", String(client.lastId));
      query.set("epoch", client.epoch);
    }
    const outcome = await openRaw({
      host: plan.host,
      port: plan.port,
      localAddress: client.address,
      path: `/ws/${client.room}?${query}`,
      origin,
    }, {
      onText: (text) => onText(client, text),
      onClose: (code) => onClose(client, code),
    });
    if (!("status" in outcome)) {
      client.socket = outcome;
      return;
    }
    const key = outcome.status === 0
      ? `network ${outcome.code}`
      : `${outcome.status} ${outcome.code}`;
    refusals[key] = (refusals[key] ?? 0) + 1;
    if (outcome.status === 429 || outcome.status === 503) {
      if (outcome.retryAfterS === null) missingRetryAfter[key] = (missingRetryAfter[key] ?? 0) + 1;
      await sleep((outcome.retryAfterS ?? 1) * 1000 + Math.random() * 1000);
    } else await sleep(outcome.status === 0 ? 50 + Math.random() * 100 : 1000);
  }
}

function onClose(client: Client, code: number): void {
  client.socket = null;
  if (closedByUs || !plan.reconnect) return;
  if (backPending === 0) serverGoneAt ||= Date.now();
  backPending++;
  closes[code] = (closes[code] ?? 0) + 1;
  queue.push(client);
  pump();
}

const queue: Client[] = [];
let inFlight = 0;
function pump(): void {
  while (inFlight < plan.concurrency && queue.length > 0) {
    const client = queue.shift()!;
    inFlight++;
    connect(client, client.welcomes > 0).finally(() => {
      inFlight--;
      pump();
    });
  }
}

let publishTimers: ReturnType<typeof setTimeout>[] = [];
let sent = 0;
const padding = "x".repeat(80);
commands();

const started = performance.now();
await new Promise<void>((resolve) => {
  let done = 0;
  const next = () => {
    if (++done === clients.length) resolve();
  };
  let index = 0;
  const worker = async () => {
    while (index < clients.length) {
      const client = clients[index++];
      await connect(client, false);
      next();
    }
  };
  for (let i = 0; i < Math.min(plan.concurrency, clients.length); i++) worker();
});
while (clients.some((c) => c.welcomes === 0)) await sleep(20);
emit({ event: "ready", ms: performance.now() - started, refusals });

async function commands(): Promise<void> {
  for await (const line of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
    for (const command of line.trim().split("\n")) await run(command);
  }
}

async function run(command: string): Promise<void> {
  {
    const [name, arg] = command.split(" ");
    if (name === "publish") {
      publishTimers.forEach(clearTimeout);
      publishTimers = [];
      const period = 1000 / Number(arg);
      // Each publisher on its own phase: a burst of every room at once would measure the
      // clients' own backlog, not the server.
      for (const i of Number(arg) > 0 ? plan.publishers : []) {
        const send = () => {
          clients[i].socket?.send(
            JSON.stringify({ type: "chat", data: { text: `${nowMs().toFixed(3)}|${padding}` } }),
          );
          sent++;
        };
        publishTimers.push(setTimeout(() => {
          send();
          publishTimers.push(setInterval(send, period));
        }, Math.random() * period));
      }
      emit({ event: "publishing", rate: Number(arg) });
    } else if (name === "latency") {
      emit({ event: "latency", sent, samples: latencies.map((l) => Math.round(l * 100) / 100) });
      latencies.length = 0;
      sent = 0;
    } else if (name === "refusals") {
      const open = clients.filter((c) => c.socket !== null).length;
      emit({ event: "refusals", open, refusals, missingRetryAfter });
    } else if (name === "verify") {
      emit({ event: "verified", serverGoneAt, ...(await verify()) });
    } else if (name === "close") {
      closedByUs = true;
      for (const client of clients) client.socket?.close();
      await sleep(500);
      Deno.exit(0);
    }
  }
}

/** Compares every client's ids with its room's history after its first welcome. */
async function verify(): Promise<Record<string, number>> {
  const admin = await mintToken(plan.secret, { sub: "storm-admin", admin: true }, "1h");
  const rooms = new Map<string, number[]>();
  const result = { clients: 0, exact: 0, missing: 0, duplicates: 0, notRecovered: 0 };
  for (const client of clients) {
    let history = rooms.get(client.room);
    if (history === undefined) {
      history = await roomIds(client.room, admin);
      rooms.set(client.room, history);
    }
    const owed = history.filter((id) => id > client.firstLastId);
    const got = new Set(client.ids);
    result.clients++;
    result.duplicates += client.disorder;
    const missing = owed.filter((id) => !got.has(id)).length;
    result.missing += missing;
    if (client.recovered === false) result.notRecovered++;
    if (missing === 0 && client.disorder === 0 && got.size === owed.length) result.exact++;
  }
  return result;
}

async function roomIds(room: string, admin: string): Promise<number[]> {
  const ids: number[] = [];
  let since = 0;
  for (;;) {
    const response = await fetch(
      `${origin}/api/rooms/${room}/messages?since=${since}&limit=200`,
      { headers: { authorization: `Bearer ${admin}` } },
    );
    const page = await response.json();
    for (const message of page.messages) ids.push(message.id);
    if (!page.has_more || page.messages.length === 0) return ids;
    since = ids[ids.length - 1];
  }
}
