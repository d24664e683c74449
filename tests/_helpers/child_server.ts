/**
 * Runs `main.ts` as a child process, for tests of signals, crashes and restarts.
 *
 * @module
 */
import { TEST_SECRET, TEST_TRANSPORT } from "./server.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** A running child server. */
export interface ChildServer {
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** Its port. */
  readonly port: number;
  /** Its process id (of the wrapper when one was given). */
  readonly pid: number;
  /** Every stderr line so far. */
  readonly lines: string[];
  /** Resolves with the exit status, once every stderr line is in `lines`. */
  readonly exited: Promise<Deno.CommandStatus>;
  /** Sends a signal. */
  kill(signal: Deno.Signal): void;
}

/**
 * Reads a stream of text line by line, carrying a line split across chunks over to the next.
 *
 * @param stream A child's stderr or stdout.
 * @param onLine Called with each line, without its newline (and with an unterminated last line).
 * @returns Settles when the stream ends.
 */
async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  let buffer = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let at;
    while ((at = buffer.indexOf("\n")) >= 0) {
      onLine(buffer.slice(0, at));
      buffer = buffer.slice(at + 1);
    }
  }
  if (buffer) onLine(buffer);
}

/** A server's stderr as it is read: its lines so far, its port once it listens. */
export interface ServerOutput {
  /** Every line so far. */
  lines: string[];
  /** The port of the "listening on" line; rejects with the lines if the stream ends first. */
  port: Promise<number>;
  /** Settles when the stream ends. */
  done: Promise<void>;
}

/**
 * Follows a server's stderr for its "listening on http://host:port" line.
 *
 * @param stderr The server's piped stderr.
 * @returns Its lines, port and end.
 */
export function followServerOutput(stderr: ReadableStream<Uint8Array>): ServerOutput {
  const lines: string[] = [];
  const port = Promise.withResolvers<number>();
  const done = readLines(stderr, (line) => {
    lines.push(line);
    const match = /listening on http:\/\/[^:]+:(\d+)/.exec(line);
    if (match) port.resolve(Number(match[1]));
  }).then(() => port.reject(new Error(`Server exited before listening:\n${lines.join("\n")}`)));
  // Whoever waits for the port sees the rejection; nobody waiting is not an error.
  port.promise.catch(() => {});
  return { lines, port: port.promise, done };
}

/**
 * Starts `main.ts` with JSON logs on port 0 and waits for its "listening" line. Tests skip the
 * start-up warm-up unless they set `ROOMD_WARMUP_CLIENTS`: it would add a second or two to every
 * child.
 *
 * @param env Variables (ROOMD_DATA_DIR at least).
 * @param timeoutMs Start-up deadline.
 * @param args Arguments of `main.ts` (e.g. `--config FILE`).
 * @param wrapper A command that runs deno, e.g. `["prlimit", "--nofile=128:128"]` (it must
 *   exec deno in its own process, so that `pid` is the server's).
 * @returns The child.
 */
export async function startChild(
  env: Record<string, string>,
  timeoutMs = 15_000,
  args: string[] = [],
  wrapper: string[] = [],
): Promise<ChildServer> {
  const [command, ...commandArgs] = [...wrapper, Deno.execPath(), "run", "-A", MAIN, ...args];
  const process = new Deno.Command(command, {
    args: commandArgs,
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      ROOMD_JWT_SECRET: TEST_SECRET,
      ROOMD_LOG_FORMAT: "json",
      ROOMD_JOIN_RATE: "100000",
      ROOMD_MSG_RATE: "100000",
      ROOMD_MSG_BURST: "100000",
      ROOMD_TRANSPORT: TEST_TRANSPORT,
      ROOMD_WARMUP_CLIENTS: "0",
      ...env,
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const { lines, port: listening, done } = followServerOutput(process.stderr);
  // Settles once the last stderr line is read too, so that a test can look for it at exit.
  const exited = Promise.all([process.status, done]).then(([status]) => status);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Server did not start:\n${lines.join("\n")}`)),
      timeoutMs,
    );
  });
  try {
    const port = await Promise.race([listening, timeout]);
    return {
      origin: `http://127.0.0.1:${port}`,
      port,
      pid: process.pid,
      lines,
      exited,
      kill: (signal) => process.kill(signal),
    };
  } catch (error) {
    try {
      process.kill("SIGKILL");
    } catch { /* already gone */ }
    await exited;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Kills a child if it still runs and waits for it.
 *
 * @param child The child.
 */
export async function stopChild(child: ChildServer): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch { /* already exited */ }
  await child.exited;
}
