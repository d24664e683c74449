/**
 * The shape of a load run's result: what `bench/load.ts --json` prints and `bench/compare.ts`
 * reads.
 *
 * @module
 */
import type { LoadMode } from "./_args.ts";
import type { LatencyHistogram, LatencySummary } from "./_stats.ts";

/** One measured window of publishing at a fixed rate. */
export interface WindowResult {
  /** Messages per second per publisher. */
  rate: number;
  /** Length of the window in seconds. */
  seconds: number;
  /** Messages sent with a stamp inside the window. */
  sent: number;
  /** Messages the schedule called for: publishers × rate × seconds. */
  plannedSent: number;
  /** Deliveries owed for what was sent: sent × (clients per room − 1). */
  expected: number;
  /** Deliveries the schedule called for: publishers × rate × seconds × (clients per room − 1). */
  plannedExpected: number;
  /** Deliveries of window messages received by the end of the drain. */
  delivered: number;
  /** Delivered messages per second of window. */
  deliveredPerSec: number;
  /** Percentage of `expected` not delivered. */
  lossPct: number;
  /**
   * Members that received fewer window messages than their room's other publishers sent
   * (loss checked member by member; see `bench/_members.ts`).
   */
  membersShort: number;
  /** Members that received more than that (duplicates). */
  membersOver: number;
  /** End-to-end latency of delivered window messages. */
  latencyMs: LatencySummary;
  /** The same latencies as a histogram, to merge with other load processes' (`compare.ts`). */
  latencyHistogramUs: LatencyHistogram;
  /** Server CPU seconds over the window and drain (every `--pid` added up); `null` without. */
  serverCpuSeconds: number | null;
  /** The same for each `--pid`, in their order (`null` where unreadable); empty without. */
  serverCpuSecondsEach: (number | null)[];
  /** Server CPU percentage of one core over the window and drain; `null` without `--pid`. */
  serverCpuPct: number | null;
  /** Server CPU microseconds per delivered message; `null` without `--pid`. */
  serverCpuUsPerMsg: number | null;
  /** Largest server RSS seen during the window, KiB; `null` without `--pid`. */
  serverRssPeakKb: number | null;
  /** The load tool's own CPU seconds over the window and drain. */
  toolCpuSeconds: number;
  /** The load tool's CPU percentage of one core over the window and drain. */
  toolCpuPct: number;
  /**
   * CPU percentage of one core used by everything else on the machine over the window: other
   * processes (noise to watch on a shared machine), kernel network work not charged to either
   * process (a few % on loopback), and the server itself without `--pid`.
   */
  otherCpuPct: number | null;
}

/** Ramp mode: the steps and the best sustained rate. */
export interface RampResult {
  /** Each step, in order: the rising ones, then the narrowing ones after the first failure. */
  steps: WindowResult[];
  /**
   * Best delivered msg/s among the steps that held (the tool kept ≥95% of its send schedule,
   * ≥95% of expected deliveries arrived, p99 ≤ 250 ms).
   */
  saturationPerSec: number | null;
  /** Index in `steps` of that best step. */
  bestStep: number | null;
  /** Why the ramp stopped raising the rate (its first failed step, or `maxSteps`). */
  stoppedBecause: string;
}

/** Idle mode: memory per open connection. */
export interface IdleResult {
  /** Connections held open. */
  connections: number;
  /**
   * Server RSS before connecting, KiB; with `--gc-signal`, right after a collection as the
   * server read it (the raw and after-GC figures keep the allocator's free memory on both ends).
   */
  rssBeforeKb: number;
  /** Server RSS with every connection open and settled, KiB. */
  rssAfterKb: number;
  /** (after − before) / connections. */
  kbPerConnection: number;
  /**
   * Server RSS right after a forced full collection, as the server read it, KiB (with
   * `--gc-signal`); `null` without.
   */
  rssAfterGcKb: number | null;
  /** (after GC − before) / connections; `null` without `--gc-signal`. */
  kbPerConnectionAfterGc: number | null;
  /**
   * Server RSS read from `/proc` once the collection's preload returned the allocator's free
   * memory to the system (`malloc_trim`), KiB; `null` without `--gc-signal`.
   */
  rssAfterTrimKb: number | null;
  /** (after trim − before, read after a trim too) / connections; `null` without `--gc-signal`. */
  kbPerConnectionAfterTrim: number | null;
  /**
   * The same for the server's live JS heap (see `_heap_reading.ts`); `null` without
   * `--gc-signal` or when the server wrote no heap reading.
   */
  heapKbPerConnectionAfterGc: number | null;
  /**
   * Half as many clients again, opened in the same rooms once the figures above were read, and
   * what each added (after a collection); `null` without `--gc-signal` or when they could not
   * all connect.
   */
  added: AddedConnections | null;
}

/** Clients opened on top of an idle run's: their count and the memory each added. */
export interface AddedConnections {
  /** Clients added. */
  connections: number;
  /**
   * Server RSS after a forced full collection and `malloc_trim` with them open, KiB. (Without
   * the trim the slope would also count the allocator's free memory left by one storm and not
   * by the other: the idle run's reading was trimmed.)
   */
  rssAfterTrimKb: number;
  /** (that − the idle run's RSS after trim) / connections added. */
  kbPerConnectionAfterTrim: number;
  /** The same for the server's live JS heap; `null` when it wrote no heap reading. */
  heapKbPerConnectionAfterGc: number | null;
}

/** Slow mode: what happened to the clients that never read. */
export interface SlowResult {
  /** Slow clients attempted. */
  clients: number;
  /** Slow clients whose upgrade succeeded. */
  upgraded: number;
  /** The first upgrade failure, described. */
  firstError: string | null;
  /** How each ended: `close <code>`, `eof`, `reset`, or `open`. */
  outcomes: Record<string, number>;
}

/** Everything one run of the load tool reports. */
export interface LoadResult {
  /** What was measured. */
  mode: LoadMode;
  /** Server base URL. */
  url: string;
  /** Rooms. */
  rooms: number;
  /** Clients per room. */
  clientsPerRoom: number;
  /** Publishers per room. */
  publishersPerRoom: number;
  /** Chat text bytes. */
  size: number;
  /** WebSocket clients opened. */
  connections: number;
  /** Milliseconds to open a connection. */
  connectMs: { p50: number; max: number };
  /**
   * Milliseconds from the first attempt until every client was ready: its welcome received
   * (roomd), or open (the baseline, which sends none).
   */
  connectAllMs: number;
  /** Server CPU seconds spent while the clients connected; `null` without `--pid`. */
  connectServerCpuS?: number | null;
  /** Close codes of sockets the server closed during the run, with counts. */
  serverClosed: Record<string, number>;
  /** `ack` frames received. */
  acks: number;
  /** `error` frames received. */
  errors: number;
  /** The first `error` frame. */
  firstError: string | null;
  /** Fixed and slow modes: the measured window. */
  window?: WindowResult;
  /** Slow mode: the slow clients. */
  slow?: SlowResult;
  /** Ramp mode. */
  ramp?: RampResult;
  /** Idle mode. */
  idle?: IdleResult;
}
