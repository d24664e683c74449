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
    ? getJsonLinesFormatter({ properties: "flatten", message: "rendered" })
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

/**
 * The root `roomd` logger (silent until {@linkcode setupLogging} runs).
 *
 * @returns A logger whose child categories and `with()` context carry through.
 */
export function rootLogger(): Logger {
  return getLogger(["roomd"]);
}
