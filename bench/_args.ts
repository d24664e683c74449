/**
 * Command-line options of the load tool.
 *
 * @module
 */
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { RAMP_REFINE_STEPS } from "./_ramp_plan.ts";
import { STAMP_LENGTH } from "./_stamp.ts";

/** What the load tool measures. */
export type LoadMode = "fixed" | "ramp" | "idle" | "slow" | "connect";

/** Validated options of one load run. */
export interface LoadOptions {
  /**
   * Server base URLs, `ws://HOST:PORT`: one, or the nodes of a cluster, over which the clients
   * of every room are spread (see `bench/_spread.ts`).
   */
  urls: string[];
  /** Number of rooms. */
  rooms: number;
  /** WebSocket clients in each room, publishers included. */
  clientsPerRoom: number;
  /** Publishing clients in each room. */
  publishersPerRoom: number;
  /** Messages per second per publisher (the starting rate in ramp mode). */
  rate: number;
  /** Length of the measured window (of each step in ramp mode: `stepSeconds`). */
  seconds: number;
  /** Chat text size in bytes. */
  size: number;
  /** What to measure. */
  mode: LoadMode;
  /**
   * Server process ids whose CPU and RSS are read from `/proc` and added up (every node, and
   * whatever they depend on, such as redis-server); empty = not measured.
   */
  pids: number[];
  /** HS256 secret to mint tokens with; `null` = connect without a token. */
  secret: string | null;
  /** Print JSON instead of a table. */
  json: boolean;
  /** Raw TCP clients per room that never read (slow mode). */
  slowClients: number;
  /** Seconds of publishing before the measured window. */
  warmupSeconds: number;
  /** Seconds per ramp step. */
  stepSeconds: number;
  /** Most ramp steps. */
  maxSteps: number;
  /** Connection attempts in flight at once. */
  connectConcurrency: number;
  /** How long one connection attempt may take, in seconds. */
  connectTimeoutSeconds: number;
  /** roomd (a token secret set): create each room through the API with this presence mode first. */
  presence: "full" | "count" | "off" | null;
  /**
   * Idle mode: the server collects its garbage on SIGUSR2 (`bench/_gc_on_signal.ts`), so the
   * tool also measures after a forced full collection (and reads the "before" figure after one).
   */
  gcSignal: boolean;
}

/** The tool's usage text. */
export const USAGE = `Usage: deno run -A bench/load.ts [options]
  --url ws://HOST:PORT[,…]    server, or the nodes of one cluster, comma-separated: each
                              room's clients are spread over them (default
                              ws://127.0.0.1:8080)
  --rooms N                   rooms (default 1)
  --clients-per-room N        clients per room, publishers included (default 10)
  --publishers-per-room N     publishers per room (default 1)
  --rate R                    msg/s per publisher; ramp: starting rate (default 10)
  --seconds S                 measured seconds (default 10)
  --size B                    chat text bytes, ${STAMP_LENGTH}-4000 (default 100)
  --mode fixed|ramp|idle|slow|connect (default fixed)
  --pid PID[,…]               server pid(s): CPU and RSS from /proc, added up (required
                              for idle)
  --secret S                  HS256 secret for tokens (default env ROOMD_JWT_SECRET)
  --slow-clients N            slow mode: never-reading clients per room (default 1)
  --warmup S                  seconds of load before measuring (default 1)
  --step-seconds S            ramp: seconds per step (default 3)
  --max-steps N               ramp: most rising steps (default 12); after the first
                              failure, ${RAMP_REFINE_STEPS} narrowing steps (none if the
                              first step fails)
  --connect-concurrency N     connection attempts in flight (default 100)
  --connect-timeout S         seconds one connection attempt may take (default 15)
  --presence full|count|off   roomd: create each room with this presence mode first;
                              ignored without a token secret (the baseline)
  --gc-signal                 idle: SIGUSR2 makes the server collect garbage (see
                              bench/_gc_on_signal.ts); also measure after a full GC,
                              then open half as many clients again and measure what
                              each adds
  --json                      print JSON instead of a table`;

type Parsed = { ok: true; options: LoadOptions } | { ok: false; error: string };

const MODES: readonly LoadMode[] = ["fixed", "ramp", "idle", "slow", "connect"];

/**
 * Parses options strictly (no positionals, no unknown options) and turns a parse failure into a
 * one-line message instead of an exception.
 *
 * @param args Command-line arguments.
 * @param options The options, as `node:util`'s `parseArgs` takes them.
 * @returns The values, or `Invalid arguments: …`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { strictArgs } from "./_args.ts";
 * const values = strictArgs(["--n", "2"], { n: { type: "string", default: "1" } });
 * assert.ok(typeof values !== "string" && values.n === "2");
 * assert.ok(strictArgs(["x"], {}) === "Invalid arguments: Unexpected argument 'x'. This command does not take positional arguments");
 * ```
 */
export function strictArgs<O extends ParseArgsOptionsConfig>(
  args: readonly string[],
  options: O,
):
  | ReturnType<typeof parseArgs<{ options: O; strict: true; allowPositionals: false }>>["values"]
  | string {
  try {
    return parseArgs({ args: [...args], strict: true, allowPositionals: false, options }).values;
  } catch (err) {
    return `Invalid arguments: ${(err as Error).message.split("\n")[0]}`;
  }
}

/**
 * Parses and validates the load tool's arguments.
 *
 * @param args Command-line arguments.
 * @param env Environment, for the `ROOMD_JWT_SECRET` default.
 * @returns The options, or the first problem as one line.
 *
 * @example Defaults with a secret from the environment
 * ```ts
 * import assert from "assert";
 * import { parseLoadArgs } from "./_args.ts";
 * const r = parseLoadArgs(["--rooms", "2"], { ROOMD_JWT_SECRET: "0123456789abcdef" });
 * assert.ok(r.ok && r.options.rooms === 2 && r.options.secret === "0123456789abcdef");
 * ```
 */
export function parseLoadArgs(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): Parsed {
  const values = strictArgs(args, {
    url: { type: "string", default: "ws://127.0.0.1:8080" },
    rooms: { type: "string", default: "1" },
    "clients-per-room": { type: "string", default: "10" },
    "publishers-per-room": { type: "string", default: "1" },
    rate: { type: "string", default: "10" },
    seconds: { type: "string", default: "10" },
    size: { type: "string", default: "100" },
    mode: { type: "string", default: "fixed" },
    pid: { type: "string" },
    secret: { type: "string" },
    "slow-clients": { type: "string", default: "1" },
    warmup: { type: "string", default: "1" },
    "step-seconds": { type: "string", default: "3" },
    "max-steps": { type: "string", default: "12" },
    "connect-concurrency": { type: "string", default: "100" },
    "connect-timeout": { type: "string", default: "15" },
    presence: { type: "string" },
    "gc-signal": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  });
  if (typeof values === "string") return { ok: false, error: values };
  const problems: string[] = [];
  const int = (name: keyof typeof values, min: number, max = 1_000_000): number => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`Invalid --${name}=${values[name]}: expected an integer from ${min} to ${max}`);
    }
    return n;
  };
  const positive = (name: keyof typeof values): number => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n <= 0) {
      problems.push(`Invalid --${name}=${values[name]}: expected a positive number`);
    }
    return n;
  };
  const mode = values.mode as LoadMode;
  const quiet = mode === "idle" || mode === "connect";
  if (!MODES.includes(mode)) {
    problems.push(`Invalid --mode=${values.mode}: expected one of ${MODES.join(", ")}`);
  }
  const urls = values.url.split(",").map((u) => u.trim().replace(/\/+$/, ""));
  const pids = values.pid === undefined ? [] : values.pid.split(",").map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n >= 2 ** 31) {
      problems.push(`Invalid --pid=${values.pid}: expected process ids, comma-separated`);
    }
    return n;
  });
  const options: LoadOptions = {
    urls,
    rooms: int("rooms", 1, 100_000),
    clientsPerRoom: int("clients-per-room", 1, 100_000),
    publishersPerRoom: int("publishers-per-room", quiet ? 0 : 1, 100_000),
    rate: positive("rate"),
    seconds: positive("seconds"),
    size: int("size", STAMP_LENGTH, 4000),
    mode,
    pids,
    secret: values.secret || env.ROOMD_JWT_SECRET || null,
    json: values.json,
    slowClients: int("slow-clients", 0, 10_000),
    warmupSeconds: Number(values.warmup),
    stepSeconds: positive("step-seconds"),
    maxSteps: int("max-steps", 1, 100),
    connectConcurrency: int("connect-concurrency", 1, 10_000),
    connectTimeoutSeconds: positive("connect-timeout"),
    presence: (values.presence ?? null) as LoadOptions["presence"],
    gcSignal: values["gc-signal"],
  };
  if (options.presence !== null && !["full", "count", "off"].includes(options.presence)) {
    problems.push(`Invalid --presence=${values.presence}: expected full, count or off`);
  }
  if (!Number.isFinite(options.warmupSeconds) || options.warmupSeconds < 0) {
    problems.push(`Invalid --warmup=${values.warmup}: expected a number of seconds, 0 or more`);
  }
  if (!urls.every((url) => /^wss?:\/\/[^/]+$/.test(url))) {
    problems.push(`Invalid --url=${values.url}: expected ws://HOST:PORT`);
  }
  if (!quiet && options.clientsPerRoom < 2) {
    problems.push(
      `Invalid --clients-per-room=${options.clientsPerRoom}: ${mode} mode needs a receiver besides the publisher`,
    );
  }
  if (options.publishersPerRoom > options.clientsPerRoom) {
    problems.push(
      `Invalid --publishers-per-room=${options.publishersPerRoom}: more than the ${options.clientsPerRoom} clients per room`,
    );
  }
  if (mode === "ramp" && options.rooms !== 1) {
    problems.push(`Invalid --rooms=${options.rooms}: ramp mode uses 1 room`);
  }
  if ((mode === "idle" || options.gcSignal) && pids.length === 0) {
    problems.push("Invalid --mode=idle: it measures server memory, so --pid is required");
  }
  if (problems.length > 0) return { ok: false, error: problems[0] };
  return { ok: true, options };
}
