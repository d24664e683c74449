/**
 * Prometheus instruments of roomd, named `roomd_*` and registered on a server's own registry.
 *
 * @module
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { CounterTally } from "./counter_tally.ts";

/** The prefix of every metric name. */
export const PREFIX = "roomd_";

/**
 * A counter fed through a {@linkcode CounterTally} (plain additions, flushed at scrape time).
 *
 * @param registry The server's registry.
 * @param name Name without the prefix.
 * @param help Help text.
 * @param labelName The one label, if any.
 * @returns The tally.
 */
export function counterTally<K extends string | number = string>(
  registry: Registry,
  name: string,
  help: string,
  labelName?: string,
): CounterTally<K> {
  const counter = new Counter({
    name: PREFIX + name,
    help,
    labelNames: labelName === undefined ? [] : [labelName],
    registers: [registry],
  });
  return new CounterTally<K>(counter, labelName);
}

/**
 * A gauge.
 *
 * @param registry The server's registry.
 * @param name Name without the prefix.
 * @param help Help text.
 * @returns The gauge.
 */
export function gauge(registry: Registry, name: string, help: string): Gauge {
  return new Gauge({ name: PREFIX + name, help, registers: [registry] });
}

/**
 * A histogram.
 *
 * @param registry The server's registry.
 * @param name Name without the prefix.
 * @param help Help text.
 * @param buckets Upper bounds.
 * @returns The histogram.
 */
export function histogram(
  registry: Registry,
  name: string,
  help: string,
  buckets: number[],
): Histogram {
  return new Histogram({ name: PREFIX + name, help, buckets, registers: [registry] });
}
