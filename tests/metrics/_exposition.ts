/**
 * Typed access to the Prometheus text format, parsed by `parse-prometheus-text-format`.
 *
 * @module
 */
import parsePrometheusTextFormat from "parse-prometheus-text-format";

/** One sample of a family, as the parser returns it (numbers stay strings). */
export interface ParsedSample {
  /** Value of a counter or gauge sample. */
  value?: string;
  /** Labels, absent when there are none. */
  labels?: Record<string, string>;
  /** Cumulative bucket counts of a histogram, keyed by `le`. */
  buckets?: Record<string, string>;
  /** Observation count of a histogram. */
  count?: string;
  /** Sum of observations of a histogram. */
  sum?: string;
}

/** One metric family. */
export interface ParsedFamily {
  /** The metric name. */
  name: string;
  /** The HELP text. */
  help: string;
  /** `COUNTER`, `GAUGE`, `HISTOGRAM`, … */
  type: string;
  /** The samples. */
  metrics: ParsedSample[];
}

/** A parsed histogram with numbers. */
export interface ParsedHistogram {
  /** Cumulative counts keyed by `le` as rendered (e.g. `"0.000001"`, `"+Inf"`). */
  buckets: Map<string, number>;
  /** Observation count. */
  count: number;
  /** Sum of observations. */
  sum: number;
}

const parse = parsePrometheusTextFormat as (text: string) => ParsedFamily[];

/**
 * Parses an exposition into families keyed by name.
 *
 * @param text Prometheus text format.
 * @returns The families.
 */
export function parseExposition(text: string): Map<string, ParsedFamily> {
  return new Map(parse(text).map((family) => [family.name, family]));
}

/**
 * The value of the sample of `name` whose labels are exactly `labels`.
 *
 * @param families Parsed exposition.
 * @param name Metric name.
 * @param labels Expected labels (none by default).
 * @returns The value, or undefined when there is no such sample.
 */
export function sampleValue(
  families: Map<string, ParsedFamily>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const sample = families.get(name)?.metrics.find((m) =>
    JSON.stringify(Object.entries(m.labels ?? {}).sort()) === wanted
  );
  return sample?.value === undefined ? undefined : Number(sample.value);
}

/**
 * The unlabelled histogram called `name`.
 *
 * @param families Parsed exposition.
 * @param name Metric name.
 * @returns Its buckets, count and sum, or undefined when it has no sample.
 */
export function histogram(
  families: Map<string, ParsedFamily>,
  name: string,
): ParsedHistogram | undefined {
  const sample = families.get(name)?.metrics[0];
  if (sample?.buckets === undefined) return undefined;
  return {
    buckets: new Map(Object.entries(sample.buckets).map(([le, n]) => [le, Number(n)])),
    count: Number(sample.count),
    sum: Number(sample.sum),
  };
}
