/**
 * Command-line options of `bench/cluster.ts`, and the configurations it can measure.
 *
 * @module
 */
import { strictArgs } from "./_args.ts";

/** One measured configuration: how many roomd nodes, and whether they share a Redis. */
export interface ClusterConfig {
  /** Its name: `sqlite-1`, or `redis-N` (N nodes sharing one redis-server). */
  name: string;
  /** Whether the nodes run the Redis engine (`ROOMD_REDIS_URL`). */
  redis: boolean;
  /** roomd nodes. */
  nodes: number;
}

/** Validated options. */
export interface ClusterOptions {
  /** Configurations, in the order of odd rounds (even rounds run them in reverse). */
  configs: ClusterConfig[];
  /** Rounds; figures are medians across them. */
  rounds: number;
  /** Measured seconds of each fan-out run. */
  seconds: number;
  /** Run the publish-rate ramp of one room instead of the fan-out load. */
  maxRate: boolean;
  /** Members of the ramp's room, its publisher included. */
  maxRateMembers: number;
  /** redis-server with AOF (`appendfsync everysec`) instead of no persistence at all. */
  aof: boolean;
  /** Longest wait, in seconds, for a quiet machine before each run. */
  quietWaitSeconds: number;
  /** Print JSON instead of tables. */
  json: boolean;
}

/** The tool's usage text. */
export const CLUSTER_USAGE = `Usage: deno task bench:cluster [options]
  --configs a,b,…        configurations: sqlite-1 (one node, SQLite) and redis-N (N nodes
                         sharing one redis-server); default sqlite-1,redis-1,redis-2, with
                         --max-rate redis-1,redis-2
  --rounds N             rounds, order of configurations alternating (default 3)
  --seconds S            measured seconds of each fan-out run (default 10)
  --max-rate             instead of the fan-out load: raise one room's publish rate step by
                         step and report the last rate that held
  --max-rate-members N   members of that room, publisher included (default 20)
  --aof                  redis-server with --appendonly yes --appendfsync everysec
                         (default: no persistence, --save "" --appendonly no)
  --quiet-wait S         wait at most S seconds for a quiet machine before each run
                         (default 20)
  --json                 print JSON instead of tables`;

/**
 * Reads a configuration's name.
 *
 * @param name `sqlite-1` or `redis-N` (N from 1 to 8).
 * @returns The configuration, or `null` for any other name.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { parseConfig } from "./_cluster_args.ts";
 * assert.deepEqual(parseConfig("redis-2"), { name: "redis-2", redis: true, nodes: 2 });
 * assert.ok(parseConfig("sqlite-2") === null);
 * ```
 */
export function parseConfig(name: string): ClusterConfig | null {
  if (name === "sqlite-1") return { name, redis: false, nodes: 1 };
  const match = /^redis-([1-8])$/.exec(name);
  return match ? { name, redis: true, nodes: Number(match[1]) } : null;
}

type Parsed = { ok: true; options: ClusterOptions } | { ok: false; error: string };

/**
 * Parses and validates the arguments.
 *
 * @param args Command-line arguments.
 * @returns The options, or the first problem as one line.
 *
 * @example Defaults
 * ```ts
 * import assert from "assert";
 * import { parseClusterArgs } from "./_cluster_args.ts";
 * const r = parseClusterArgs([]);
 * assert.ok(r.ok && r.options.rounds === 3 && r.options.configs.length === 3);
 * ```
 */
export function parseClusterArgs(args: readonly string[]): Parsed {
  const values = strictArgs(args, {
    configs: { type: "string" },
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "10" },
    "max-rate": { type: "boolean", default: false },
    "max-rate-members": { type: "string", default: "20" },
    aof: { type: "boolean", default: false },
    "quiet-wait": { type: "string", default: "20" },
    json: { type: "boolean", default: false },
  });
  if (typeof values === "string") return { ok: false, error: values };
  const maxRate = values["max-rate"];
  const names = (values.configs ?? (maxRate ? "redis-1,redis-2" : "sqlite-1,redis-1,redis-2"))
    .split(",");
  const configs = names.map(parseConfig);
  const rounds = Number(values.rounds);
  const seconds = Number(values.seconds);
  const members = Number(values["max-rate-members"]);
  const quiet = Number(values["quiet-wait"]);
  const bad = names.find((_, i) => configs[i] === null);
  if (bad !== undefined || new Set(names).size !== names.length) {
    return {
      ok: false,
      error:
        `Invalid --configs=${values.configs}: expected distinct names among sqlite-1, redis-1 … redis-8`,
    };
  }
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 100) {
    return {
      ok: false,
      error: `Invalid --rounds=${values.rounds}: expected an integer from 1 to 100`,
    };
  }
  if (!Number.isFinite(seconds) || seconds <= 0) {
    return { ok: false, error: `Invalid --seconds=${values.seconds}: expected a positive number` };
  }
  if (!Number.isInteger(members) || members < 2 || members > 10_000) {
    return {
      ok: false,
      error: `Invalid --max-rate-members=${
        values["max-rate-members"]
      }: expected an integer from 2 to 10000`,
    };
  }
  if (!Number.isFinite(quiet) || quiet < 0) {
    return {
      ok: false,
      error: `Invalid --quiet-wait=${values["quiet-wait"]}: expected seconds, 0 or more`,
    };
  }
  return {
    ok: true,
    options: {
      configs: configs as ClusterConfig[],
      rounds,
      seconds,
      maxRate,
      maxRateMembers: members,
      aof: values.aof,
      quietWaitSeconds: quiet,
      json: values.json,
    },
  };
}

/**
 * The order of the configurations in a round: as given in odd rounds, reversed in even ones, so
 * neither always runs first on a machine that warms up or slows down.
 *
 * @param configs The configurations.
 * @param round The round, from 1.
 * @returns The configurations in that round's order.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { roundOrder } from "./_cluster_args.ts";
 * assert.deepEqual(roundOrder(["a", "b", "c"], 2), ["c", "b", "a"]);
 * ```
 */
export function roundOrder<T>(configs: readonly T[], round: number): T[] {
  return round % 2 === 1 ? [...configs] : [...configs].reverse();
}
