/**
 * The load modes: fixed, slow (fixed plus never-reading clients), ramp, idle and connect (open
 * every client, report how long that took, close).
 *
 * @module
 */
import type { LoadOptions } from "./_args.ts";
import { collectGarbage } from "./_child.ts";
import { clientPath, originOf } from "./_connect.ts";
import { type GcReading, takeGcReadings } from "./_heap_reading.ts";
import { sampleProcesses } from "./_proc.ts";
import { progress, progressDone } from "./_progress.ts";
import { Publisher } from "./_publisher.ts";
import { RampPlan } from "./_ramp_plan.ts";
import type {
  AddedConnections,
  IdleResult,
  LoadResult,
  RampResult,
  WindowResult,
} from "./_result.ts";
import { closeSockets, openSession, type Session } from "./_session.ts";
import { finishSlowClients, openSlowClient, type SlowClient } from "./_slow_client.ts";
import { percentile } from "./_stats.ts";
import { measureWindow, sleep } from "./_window.ts";

/** Wait after a forced collection before reading RSS (freed pages go back to the system). */
const GC_SETTLE_MS = 2000;

/**
 * A ramp step fails when less than this share of its expected deliveries arrives, or when the
 * load tool sent less than this share of its schedule (it, not the server, fell behind).
 */
const RAMP_MIN_DELIVERED = 0.95;
/** A ramp step fails when its p99 latency exceeds this many milliseconds. */
const RAMP_MAX_P99_MS = 250;
/** Pause after a failed ramp step, publishing nothing, so its backlog does not spill into the next. */
const RAMP_DRAIN_MS = 3000;

/**
 * Runs the mode the options name.
 *
 * @param options Validated options.
 * @returns The result, or a one-line reason the run could not happen.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult | string> {
  let gcBefore: GcReading | null = null;
  if (options.gcSignal) {
    const failed = await collectGarbage(options.pids, GC_SETTLE_MS);
    if (failed !== null) return failed;
    gcBefore = takeGcReadings(options.pids);
  }
  const rssBefore = sampleProcesses(options.pids);
  if (options.pids.length > 0 && rssBefore === null) {
    return `Cannot read /proc/${options.pids.join(",")}: is the server running with that pid?`;
  }
  const session = await openSession(options);
  if (typeof session === "string") return session;
  const result = baseResult(options, session);
  const afterConnect = sampleProcesses(options.pids);
  result.connectServerCpuS = afterConnect && rssBefore
    ? afterConnect.cpuSeconds - rssBefore.cpuSeconds
    : null;
  try {
    if (options.mode === "idle") {
      result.idle = await idle(session, options, { rssKb: rssBefore!.rssKb, reading: gcBefore });
    } else if (options.mode === "connect") return result;
    else if (options.mode === "ramp") result.ramp = await ramp(session, options);
    else await fixed(session, options, result);
  } finally {
    progressDone();
    closeSockets(session.meter, session.sockets);
  }
  result.serverClosed = Object.fromEntries(session.meter.closes);
  result.acks = session.meter.acks;
  result.errors = session.meter.errors;
  result.firstError = session.meter.firstError;
  return result;
}

function baseResult(options: LoadOptions, session: Session): LoadResult {
  const connect = Float64Array.from(session.connectMs).sort();
  return {
    mode: options.mode,
    url: options.urls.join(","),
    rooms: options.rooms,
    clientsPerRoom: options.clientsPerRoom,
    publishersPerRoom: options.publishersPerRoom,
    size: options.size,
    connections: session.sockets.length,
    connectMs: { p50: percentile(connect, 50), max: percentile(connect, 100) },
    connectAllMs: session.allReadyMs,
    serverClosed: {},
    acks: 0,
    errors: 0,
    firstError: null,
  };
}

async function fixed(session: Session, options: LoadOptions, result: LoadResult): Promise<void> {
  const slow = options.mode === "slow" ? await openSlow(session, options) : null;
  const publisher = new Publisher(session.publishers, options.size);
  publisher.start(options.rate);
  progress(`${options.mode}: warming up ${options.warmupSeconds} s`);
  await sleep(options.warmupSeconds * 1000);
  result.window = await measureWindow(
    session,
    publisher,
    options.rate,
    options.seconds,
    options,
    options.mode,
  );
  if (slow !== null) {
    progress("slow: reading what piled up for the slow clients");
    result.slow = {
      clients: slow.attempted,
      upgraded: slow.clients.length,
      firstError: slow.firstError,
      outcomes: await finishSlowClients(slow.clients, 3000),
    };
  }
}

async function openSlow(
  session: Session,
  options: LoadOptions,
): Promise<{ attempted: number; clients: SlowClient[]; firstError: string | null }> {
  const origin = originOf(options.urls[0]);
  const attempts: Promise<SlowClient | string>[] = [];
  for (const room of session.rooms) {
    for (let i = 0; i < options.slowClients; i++) {
      const path = await clientPath({ room, user: `${room}-slow${i}` }, options.secret);
      attempts.push(openSlowClient(options.urls[0], path, origin));
    }
  }
  const outcomes = await Promise.all(attempts);
  const clients = outcomes.filter((o): o is SlowClient => typeof o !== "string");
  const firstError = outcomes.find((o): o is string => typeof o === "string") ?? null;
  return { attempted: attempts.length, clients, firstError };
}

/**
 * Why a ramp step did not hold, if it did not: the load tool fell behind its send schedule
 * (allowing one message per publisher at the window's edges), less than 95% of the expected
 * deliveries arrived, or p99 latency was over 250 ms.
 *
 * @param step The measured step.
 * @param publishers Publishing clients.
 * @returns The problem as a phrase, or `null` when the step held.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { rampStepProblem } from "./_modes.ts";
 * const step = { sent: 100, plannedSent: 100, delivered: 900, expected: 1000, latencyMs: { p99: 5 } };
 * assert.ok(rampStepProblem(step, 1) === "only 90.0% of expected deliveries arrived");
 * ```
 */
export function rampStepProblem(
  step: Pick<WindowResult, "sent" | "plannedSent" | "delivered" | "expected"> & {
    latencyMs: Pick<WindowResult["latencyMs"], "p99">;
  },
  publishers: number,
): string | null {
  if (step.sent < RAMP_MIN_DELIVERED * step.plannedSent - publishers) {
    return `the load tool fell behind its send schedule (sent ${step.sent} of ${step.plannedSent})`;
  }
  const share = step.expected > 0 ? step.delivered / step.expected : 0;
  if (share < RAMP_MIN_DELIVERED) {
    return `only ${(100 * share).toFixed(1)}% of expected deliveries arrived`;
  }
  if (!(step.latencyMs.p99 <= RAMP_MAX_P99_MS)) {
    return `p99 was ${step.latencyMs.p99.toFixed(0)} ms (over ${RAMP_MAX_P99_MS} ms)`;
  }
  return null;
}

async function ramp(session: Session, options: LoadOptions): Promise<RampResult> {
  const publisher = new Publisher(session.publishers, options.size);
  const steps: WindowResult[] = [];
  const publishers = session.publishers.length;
  const plan = new RampPlan(options.rate);
  let stoppedBecause = `reached --max-steps=${options.maxSteps} without saturating`;
  for (let step = 1; plan.rate !== null && (plan.narrowing || step <= options.maxSteps); step++) {
    const rate = plan.rate;
    publisher.start(rate);
    await sleep(Math.min(options.warmupSeconds, 1) * 1000);
    const label = `ramp step ${step} @ ${rate.toFixed(1)} msg/s`;
    const w = await measureWindow(session, publisher, rate, options.stepSeconds, options, label);
    steps.push(w);
    const problem = rampStepProblem(w, publishers);
    if (problem !== null && !plan.narrowing) {
      stoppedBecause = `at ${rate.toFixed(1)} msg/s ${problem}`;
    }
    plan.record(problem === null);
    if (problem !== null && plan.rate !== null) {
      publisher.stop();
      await sleep(RAMP_DRAIN_MS);
    }
  }
  publisher.stop();
  const held = steps.flatMap((s, i) => rampStepProblem(s, publishers) === null ? [i] : []);
  const bestStep = held.reduce<number | null>(
    (best, i) => best === null || steps[i].deliveredPerSec > steps[best].deliveredPerSec ? i : best,
    null,
  );
  return {
    steps,
    saturationPerSec: bestStep === null ? null : steps[bestStep].deliveredPerSec,
    bestStep,
    stoppedBecause,
  };
}

/** Server memory after a forced collection: from `/proc`, and what the server wrote. */
interface Collected {
  /** RSS read after the signal, once the allocator returned its free memory (where it can). */
  rssKb: number;
  /** What the server wrote right after the collection; `null` when it wrote nothing. */
  reading: GcReading | null;
}

/** RSS right after the collection, the allocator's free memory included. */
function untrimmedKb(collected: Collected): number {
  return collected.reading?.rssAfterGcKb ?? collected.rssKb;
}

async function idle(
  session: Session,
  options: LoadOptions,
  before: Collected,
): Promise<IdleResult> {
  const pids = options.pids;
  const last = await settle(pids, before.rssKb, session.sockets.length);
  const connections = session.sockets.length;
  const afterGc = options.gcSignal ? await collected(pids) : null;
  const added = afterGc === null ? null : await addedConnectionsCost(session, options, afterGc);
  const rssBeforeKb = untrimmedKb(before);
  const rssAfterGcKb = afterGc === null ? null : untrimmedKb(afterGc);
  return {
    connections,
    rssBeforeKb,
    rssAfterKb: last,
    kbPerConnection: (last - rssBeforeKb) / connections,
    rssAfterGcKb,
    kbPerConnectionAfterGc: perConnection(rssBeforeKb, rssAfterGcKb, connections),
    rssAfterTrimKb: afterGc?.rssKb ?? null,
    kbPerConnectionAfterTrim: perConnection(before.rssKb, afterGc?.rssKb ?? null, connections),
    heapKbPerConnectionAfterGc: perConnection(
      before.reading?.heapKb ?? null,
      afterGc?.reading?.heapKb ?? null,
      connections,
    ),
    added,
  };
}

/** What each connection added between two readings, or `null` when either is missing. */
function perConnection(
  fromKb: number | null,
  toKb: number | null,
  connections: number,
): number | null {
  return fromKb === null || toKb === null ? null : (toKb - fromKb) / connections;
}

/** Waits until the server's RSS moves by at most 1 % in a second (20 s at most); returns it. */
async function settle(pids: readonly number[], fromKb: number, open: number): Promise<number> {
  let last = sampleProcesses(pids)?.rssKb ?? fromKb;
  for (let i = 0; i < 20; i++) {
    await sleep(1000);
    const now = sampleProcesses(pids)?.rssKb ?? last;
    progress(`idle: ${open} open, server rss ${(now / 1024).toFixed(1)} MB`);
    const settled = i >= 1 && Math.abs(now - last) <= 0.01 * last;
    last = now;
    if (settled) break;
  }
  return last;
}

async function collected(pids: readonly number[]): Promise<Collected | null> {
  progress("idle: forcing a full collection in the server");
  if ((await collectGarbage(pids, GC_SETTLE_MS)) !== null) return null;
  const rssKb = sampleProcesses(pids)?.rssKb;
  return rssKb === undefined ? null : { rssKb, reading: takeGcReadings(pids) };
}

/**
 * Opens half as many clients again in the same rooms and reads what each costs after a
 * collection: the slope of memory over connections, without what the server allocated once
 * (its compiled code, its rooms) and shared by all of them.
 */
async function addedConnectionsCost(
  session: Session,
  options: LoadOptions,
  afterGc: Collected,
): Promise<AddedConnections | null> {
  const from = options.clientsPerRoom;
  const to = from + Math.ceil(from / 2);
  const more = await openSession(options, { rooms: session.rooms, from, to });
  if (typeof more === "string") {
    progress(`idle: ${more}`);
    return null;
  }
  try {
    const open = session.sockets.length + more.sockets.length;
    await settle(options.pids, afterGc.rssKb, open);
    const now = await collected(options.pids);
    if (now === null) return null;
    const connections = more.sockets.length;
    return {
      connections,
      rssAfterTrimKb: now.rssKb,
      kbPerConnectionAfterTrim: (now.rssKb - afterGc.rssKb) / connections,
      heapKbPerConnectionAfterGc: perConnection(
        afterGc.reading?.heapKb ?? null,
        now.reading?.heapKb ?? null,
        connections,
      ),
    };
  } finally {
    closeSockets(more.meter, more.sockets);
  }
}
