/**
 * Structured logging with logtape: JSON lines in production, pretty on a terminal. Loggers
 * carry context (conn, room, user) through `logger.with({...})`.
 *
 * @module
 */
import {
  configure,
  getAnsiColorFormatter,
  getJsonLinesFormatter,
  getLogger,
  type Logger,
  type LogRecord,
  reset,
} from "@logtape/logtape";

export type { Logger };

/** Where formatted log lines go; defaults to standard error. */
export type LineWriter = (line: string) => void;

/** Options of {@linkcode setupLogging}. */
export interface LoggingOptions {
  /** Lowest level written. */
  level: "debug" | "info" | "warning" | "error";
  /** `json` (one object a line) or `pretty`; unset = pretty on a TTY, json otherwise. */
  format?: "json" | "pretty";
  /** Receives each formatted line (tests capture logs with it). */
  write?: LineWriter;
}

const encoder = new TextEncoder();

function stderrWriter(line: string): void {
  Deno.stderr.writeSync(encoder.encode(line));
}

/**
 * Configures logtape for the `roomd` category. Safe to call again (it resets first).
 *
 * @param options Level, format and sink.
 * @returns The root `roomd` logger.
 */
export async function setupLogging(options: LoggingOptions): Promise<Logger> {
  const format = options.format ?? (Deno.stderr.isTerminal() ? "pretty" : "json");
  const formatter = format === "json"
    ? jsonLines(getJsonLinesFormatter({ properties: "flatten", message: "rendered" }))
    : getAnsiColorFormatter({ timestamp: "time" });
  const write = options.write ?? stderrWriter;
  await reset();
  await configure({
    sinks: { out: (record: LogRecord) => write(formatter(record)) },
    loggers: [
      { category: ["roomd"], lowestLevel: options.level, sinks: ["out"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["out"] },
    ],
  });
  return getLogger(["roomd"]);
}

/** Fields of every JSON line; logtape's flattened properties would overwrite them. */
const CORE_FIELDS: readonly string[] = ["@timestamp", "level", "message", "logger"];

/** Renames properties that clash with a core field (`message` → `_message`) before formatting. */
function jsonLines(format: (record: LogRecord) => string): (record: LogRecord) => string {
  return (record) => {
    if (!CORE_FIELDS.some((field) => Object.hasOwn(record.properties, field))) {
      return format(record);
    }
    const properties: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record.properties)) {
      properties[CORE_FIELDS.includes(key) ? `_${key}` : key] = value;
    }
    return format({ ...record, properties });
  };
}

/**
 * The root `roomd` logger (silent until {@linkcode setupLogging} runs).
 *
 * @returns A logger whose child categories and `with()` context carry through.
 */
export function rootLogger(): Logger {
  return getLogger(["roomd"]);
}
