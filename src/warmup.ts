/**
 * Start-up warm-up. A fresh process runs roomd's join path in V8's interpreter, at two to
 * three times the cost of the same path once optimized, and the first storm of clients after a
 * deploy is exactly when that hurts. So before the real listener opens, roomd serves a
 * throwaway copy of itself on a loopback port and puts synthetic clients through the join,
 * message and leave paths. The copy has its own store (a temporary directory, or memory), engine,
 * metrics, secret and a logger nobody listens to: nothing of it reaches the real server, its
 * data, its metrics or other nodes.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { mintToken } from "./auth/mint.ts";
import { createTokenVerifier } from "./auth/verifier.ts";
import { verifierOptions } from "./auth/verifier_options.ts";
import type { Config } from "./config.ts";
import { openEngine } from "./engine.ts";
import { Metrics } from "./metrics/metrics.ts";
import { createRoomd } from "./server.ts";
import { transportFor } from "./transport/select.ts";
import type { Listening } from "./transport/transport.ts";

/** What a warm-up did. */
export interface WarmupReport {
  /** Synthetic clients that received their welcome. */
  joined: number;
  /** Wall-clock time of the whole warm-up, in milliseconds. */
  ms: number;
}

/**
 * Members per synthetic room, and attempts in flight, at most. Small rooms empty quickly, so few
 * connections live long enough to be promoted to V8's old generation: with rooms of 100 the
 * process kept about 20 MB more after the warm-up, and connected no faster afterwards.
 */
const MAX_WIDTH = 20;
/** Every how many clients one sends a chat message after its welcome. */
const SEND_EVERY = 4;
/** The longest a synthetic client may take to join or to close, and the copy to shut down. */
const CLIENT_TIMEOUT_MS = 2_000;
/**
 * No synthetic client starts later than this after the first. 2,000 clients take 1–2 s on a
 * quiet 2-core machine; on a busy one (a restart under 10,000 clients retrying every 100 ms took
 * 7 s) the warm-up stops early and the server starts less warm rather than late.
 */
const MAX_WARMUP_MS = 2_000;

/** A running throwaway copy of the server. */
interface Copy {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** The copy's HS256 secret. */
  secret: string;
  /** Shuts the copy down and removes its data. */
  close(): Promise<void>;
}

/**
 * Warms roomd's code paths with synthetic clients on a throwaway copy of the server.
 *
 * Rooms hold at most 20 members and at most a sixth of `config.maxConnections`, so that the
 * copy's sockets (two descriptors each: client and server) fit in what the real server leaves
 * free; a room's members leave together once it is full.
 *
 * @param config The real configuration; the copy keeps its transport, sizes and presence.
 * @param clients Synthetic clients (0 = no warm-up).
 * @returns How many joined, and how long it took.
 */
export async function warmUp(config: Config, clients: number): Promise<WarmupReport> {
  const started = performance.now();
  const width = Math.min(MAX_WIDTH, Math.floor(config.maxConnections / 6));
  if (clients <= 0 || width < 1) return { joined: 0, ms: 0 };
  const copy = await openCopy(config);
  let joined = 0;
  try {
    joined = await runClients(copy, clients, width);
  } finally {
    await settledWithin(copy.close(), CLIENT_TIMEOUT_MS);
  }
  return { joined, ms: performance.now() - started };
}

async function openCopy(config: Config): Promise<Copy> {
  const secret = crypto.randomUUID();
  const dataDir = config.store === "sqlite"
    ? await Deno.makeTempDir({ prefix: "roomd-warmup-" }).catch(() => null)
    : null;
  const removeData = async () => {
    if (dataDir !== null) await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  };
  const copyConfig: Config = Object.freeze({
    ...config,
    host: "127.0.0.1",
    port: 0,
    dataDir: dataDir ?? config.dataDir,
    store: dataDir === null ? "memory" : "sqlite",
    redisUrls: [],
    jwtSecret: secret,
    jwtPublicKey: undefined,
    jwksUrl: undefined,
    jwtIssuer: undefined,
    jwtAudience: undefined,
    allowedOrigins: undefined,
    publicOrigins: undefined,
    usersCanCreateRooms: true,
    defaultMaxClients: 0,
    joinRate: 1_000_000,
    msgRate: 1_000_000,
    msgBurst: 1_000_000,
    maxConnectionsPerIp: 1_000_000,
    dev: false,
  });
  const log = getLogger(["roomd-warmup"]);
  const verifier = await createTokenVerifier(verifierOptions(copyConfig, secret));
  const metrics = new Metrics({ collectProcess: false });
  const engine = openEngine(copyConfig, { metrics, log });
  const roomd = createRoomd({
    config: copyConfig,
    ...engine,
    userLimits: engine.limits,
    closeEngine: engine.close,
    metrics,
    log,
    verifier,
  });
  let server: Listening;
  try {
    server = await transportFor(copyConfig.transport).serve(roomd.handler, {
      port: 0,
      hostname: "127.0.0.1",
      maxMessageBytes: copyConfig.maxMessageBytes,
      log,
    });
  } catch (error) {
    await roomd.shutdown();
    await removeData();
    throw error;
  }
  roomd.listening({ hostname: "127.0.0.1", port: server.port });
  return {
    origin: `http://127.0.0.1:${server.port}`,
    secret,
    close: async () => {
      await roomd.shutdown();
      await server.shutdown();
      await removeData();
    },
  };
}

/**
 * Joins `clients` clients, `width` at a time into rooms of `width`; the client that fills a room
 * waits for its members to leave before joining more, so that few rooms close at once.
 */
async function runClients(copy: Copy, clients: number, width: number): Promise<number> {
  const url = copy.origin.replace("http:", "ws:");
  const rooms = new Map<number, WebSocket[]>();
  const deadline = performance.now() + MAX_WARMUP_MS;
  let joined = 0;
  let next = 0;
  const leave = async (room: number) => {
    const members = rooms.get(room) ?? [];
    rooms.delete(room);
    await Promise.all(members.map(closeSocket));
  };
  const worker = async () => {
    while (next < clients && performance.now() < deadline) {
      const n = next++;
      const room = Math.floor(n / width);
      const user = `warmup-${n}`;
      const token = await mintToken(copy.secret, { sub: user, name: user }, "10m");
      const socket = await join(`${url}/ws/warmup-${room}?token=${token}`, copy.origin);
      if (socket !== null) {
        joined++;
        if (n % SEND_EVERY === 0) {
          socket.send(JSON.stringify({ type: "chat", data: { text: `warm-up ${n}` } }));
        }
        const members = rooms.get(room) ?? [];
        rooms.set(room, members);
        members.push(socket);
      }
      if (n % width === width - 1) await leave(room);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, clients) }, worker));
  await Promise.all([...rooms.keys()].map(leave));
  return joined;
}

/**
 * Waits for `work`, but no longer than `ms`: a copy whose last sockets linger must not keep the
 * real server from starting (its listener is closed by then; what lingers ends with its peer).
 */
async function settledWithin(work: Promise<void>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  try {
    await Promise.race([work.catch(() => {}), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Opens one client and waits for its first frame (the welcome); `null` when it fails. */
function join(url: string, origin: string): Promise<WebSocket | null> {
  const { promise, resolve } = Promise.withResolvers<WebSocket | null>();
  const socket = new WebSocket(url, { headers: { origin } });
  const timer = setTimeout(() => {
    socket.close();
    resolve(null);
  }, CLIENT_TIMEOUT_MS);
  socket.onmessage = () => {
    clearTimeout(timer);
    socket.onmessage = null;
    resolve(socket);
  };
  socket.onclose = () => {
    clearTimeout(timer);
    resolve(null);
  };
  return promise;
}

/** Closes a client and waits until it is closed (or the timeout passes). */
function closeSocket(socket: WebSocket): Promise<void> {
  const { promise, resolve } = Promise.withResolvers<void>();
  const timer = setTimeout(resolve, CLIENT_TIMEOUT_MS);
  socket.onclose = () => {
    clearTimeout(timer);
    resolve();
  };
  socket.close(1000);
  return promise;
}
