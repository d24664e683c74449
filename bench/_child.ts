/**
 * Child processes for `bench/compare.ts`: a server on a free port with a fresh data directory,
 * and load-tool runs. Children start through `sh` so their open-file limit is raised to the hard
 * limit (5,000 connections need more than the usual soft limit of 1,024).
 *
 * @module
 */

import type { LoadResult } from "./_result.ts";
import { sleep } from "./_window.ts";

/** The repository root (where deno.json and main.ts live). */
const REPO_ROOT: string = new URL("../", import.meta.url).pathname;

const RAISE_NOFILE = 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"';

/** A running server child. */
export interface ServerProcess {
  /** Which server. */
  name: string;
  /** Its pid, for `/proc` readings. */
  pid: number;
  /** `ws://127.0.0.1:PORT`. */
  url: string;
  /** Whether SIGUSR2 makes it collect its garbage (see `bench/_gc_on_signal.ts`). */
  collectsOnSignal: boolean;
  /** Stops it and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * Finds a free TCP port by binding port 0 on 127.0.0.1 and releasing it.
 *
 * @returns The port number.
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * A `Deno.Command` running `deno <args>` in the repository root with a raised open-file limit.
 *
 * @param args Arguments after `deno`.
 * @param env Extra environment variables.
 * @returns The command, stdout and stderr piped.
 */
export function denoCommand(args: readonly string[], env: Record<string, string>): Deno.Command {
  return new Deno.Command("sh", {
    args: ["-c", RAISE_NOFILE, "sh", Deno.execPath(), ...args],
    cwd: REPO_ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/**
 * Starts a server script on a free port with a fresh temp data directory and waits until it
 * accepts TCP connections.
 *
 * @param name Label for messages.
 * @param runArgs Arguments after `deno`, e.g. `["run", "-A", "bench/baseline_server.ts"]`.
 * @param env Extra environment (PORT, HOST and ROOMD_DATA_DIR are set here).
 * @param gcOnSignal Preload `bench/_gc_on_signal.ts` (with `--expose-gc`): SIGUSR2 then runs a
 *   full garbage collection in the server.
 * @returns The running server, or why it did not start.
 */
export async function startServer(
  name: string,
  runArgs: readonly string[],
  env: Record<string, string>,
  gcOnSignal = false,
): Promise<ServerProcess | string> {
  const port = freePort();
  const dataDir = await Deno.makeTempDir({ prefix: `roomd-bench-${name}-` });
  const args = gcOnSignal ? withGcOnSignal(runArgs) : runArgs;
  const child = denoCommand(args, {
    ...env,
    PORT: String(port),
    HOST: "127.0.0.1",
    ROOMD_DATA_DIR: dataDir,
  }).spawn();
  const output = new OutputTail();
  const drained = Promise.all([output.drain(child.stdout), output.drain(child.stderr)]);
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const stop = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => exited || child.kill("SIGKILL"), 5000);
      await status;
      clearTimeout(timer);
    }
    await drained;
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  };
  const deadline = performance.now() + 30_000;
  while (!(await accepts(port))) {
    if (exited || performance.now() > deadline) {
      await stop();
      const why = exited ? `exited with code ${(await status).code}` : "not listening after 30 s";
      return `Cannot start ${name} (deno ${runArgs.join(" ")}): ${why}\n${output.text()}`;
    }
    await sleep(100);
  }
  return {
    name,
    pid: child.pid,
    url: `ws://127.0.0.1:${port}`,
    collectsOnSignal: gcOnSignal,
    stop,
  };
}

/**
 * The environment roomd gets: limits far above the test load (every client has its own `sub`
 * but all come from 127.0.0.1), quiet logs, a short shutdown.
 *
 * @param secret The HS256 secret the load tool signs with.
 * @returns Environment variables.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { roomdEnv } from "./_child.ts";
 * assert.ok(roomdEnv("s3cret").ROOMD_JWT_SECRET === "s3cret");
 * ```
 */
export function roomdEnv(secret: string): Record<string, string> {
  return {
    ROOMD_JWT_SECRET: secret,
    ROOMD_LOG_LEVEL: "warn",
    ROOMD_MSG_RATE: "1000000",
    ROOMD_MSG_BURST: "1000000",
    ROOMD_JOIN_RATE: "1000000",
    ROOMD_MAX_CONNECTIONS: "1000000",
    ROOMD_MAX_CONNECTIONS_PER_USER: "1000",
    ROOMD_MAX_CONNECTIONS_PER_IP: "1000000",
    ROOMD_USERS_CAN_CREATE_ROOMS: "true",
    ROOMD_SHUTDOWN_TIMEOUT_MS: "1000",
  };
}

/**
 * Runs `bench/load.ts --json` with the given arguments and parses its result.
 *
 * @param args Load-tool arguments.
 * @param env Extra environment.
 * @returns The tool's result, or its error output.
 */
export async function runLoadChild(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ ok: true; result: LoadResult } | { ok: false; error: string }> {
  const out = await denoCommand(["run", "-A", "bench/load.ts", ...args, "--json"], env).output();
  const stdout = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-5).join("\n");
    return { ok: false, error: `load tool exited with code ${out.code}: ${stderr}` };
  }
  try {
    return { ok: true, result: JSON.parse(stdout) as LoadResult };
  } catch {
    return { ok: false, error: `load tool printed no JSON: ${stdout.slice(0, 200)}` };
  }
}

async function accepts(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

/** Keeps the last few KiB of a child's output while draining its pipes so it never blocks. */
class OutputTail {
  #text = "";

  async drain(stream: ReadableStream<Uint8Array>): Promise<void> {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      this.#text = (this.#text + chunk).slice(-4096);
    }
  }

  text(): string {
    return this.#text.trim();
  }
}

/**
 * The arguments `deno task start` passes to `deno` (permissions and V8 flags included), so
 * that benchmarks run roomd exactly as users do.
 *
 * @returns E.g. `["run", "--allow-all", "--v8-flags=…", "main.ts"]`.
 */
export function startTaskArgs(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${REPO_ROOT}deno.json`));
  const words = String(config.tasks.start).split(/\s+/);
  if (words[0] !== "deno") throw new Error(`Cannot read the start task: ${config.tasks.start}`);
  return words.slice(1);
}

/**
 * Adds `--expose-gc` (to the V8 flags already given, if any) and the preload that collects on
 * SIGUSR2 to `deno run` arguments.
 *
 * @param runArgs `["run", …flags, script]`.
 * @returns The arguments with both added before the script.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { withGcOnSignal } from "./_child.ts";
 * const args = withGcOnSignal(["run", "-A", "--v8-flags=--max-semi-space-size=2", "main.ts"]);
 * assert.deepEqual(args, [
 *   "run", "-A", "--v8-flags=--max-semi-space-size=2,--expose-gc",
 *   "--preload=bench/_gc_on_signal.ts", "main.ts",
 * ]);
 * ```
 */
export function withGcOnSignal(runArgs: readonly string[]): string[] {
  const flags = runArgs.slice(0, -1);
  const at = flags.findIndex((a) => a.startsWith("--v8-flags="));
  if (at < 0) flags.push("--v8-flags=--expose-gc");
  else flags[at] += ",--expose-gc";
  return [...flags, "--preload=bench/_gc_on_signal.ts", runArgs[runArgs.length - 1]];
}

/**
 * Signals servers started with the garbage-collection preload ({@linkcode withGcOnSignal}) to
 * run a full collection, then waits for it to finish and its freed pages to go back.
 *
 * @param pids The servers' processes.
 * @param settleMs How long to wait after the signal.
 * @returns `null`, or why the signal could not be sent.
 */
export async function collectGarbage(
  pids: readonly number[],
  settleMs: number,
): Promise<string | null> {
  try {
    for (const pid of pids) Deno.kill(pid, "SIGUSR2");
  } catch (error) {
    return `Cannot signal the server to collect garbage: ${(error as Error).message}`;
  }
  await sleep(settleMs);
  return null;
}
