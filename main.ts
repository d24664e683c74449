/**
 * roomd's entry point: load config → build the parts → serve on the configured transport
 * (`ROOMD_TRANSPORT`: `Deno.serve` or `node:http` + `npm:ws`); SIGINT/SIGTERM drain
 * gracefully (a second signal neither crashes nor cuts the drain short).
 *
 * @module
 */
import { loadOrCreateSecret } from "./src/auth/local_secret.ts";
import { createTokenVerifier } from "./src/auth/verifier.ts";
import { verifierOptions } from "./src/auth/verifier_options.ts";
import { announceDevMode } from "./src/dev_mode.ts";
import { type Config, ConfigError, loadConfig } from "./src/config.ts";
import { type Logger, setupLogging } from "./src/log.ts";
import { Metrics } from "./src/metrics/metrics.ts";
import { openEngine } from "./src/engine.ts";
import { createRoomd } from "./src/server.ts";
import { StoreError } from "./src/store/store_error.ts";
import { warmUp } from "./src/warmup.ts";
import { transportFor } from "./src/transport/select.ts";
import type { Listening } from "./src/transport/transport.ts";

async function main(): Promise<number> {
  const config = await loadConfig();
  const log = await setupLogging({ level: config.logLevel, format: config.logFormat });
  let secret = config.jwtSecret;
  if (secret === undefined && config.jwtPublicKey === undefined && config.jwksUrl === undefined) {
    const local = await loadOrCreateSecret(config.dataDir).catch(asStartupError);
    secret = local.secret;
    log.info("Using the local JWT secret in {path} ({state}); set ROOMD_JWT_SECRET in production", {
      path: `${config.dataDir}/jwt-secret`,
      state: local.created ? "created" : "existing",
    });
  }
  const verifier = await createTokenVerifier(verifierOptions(config, secret)).catch(asStartupError);
  const metrics = new Metrics();
  const engine = openEngine(config, { metrics, log });
  await warmUpBeforeServing(config, log);
  const roomd = createRoomd({
    config,
    store: engine.store,
    broker: engine.broker,
    control: engine.control,
    presence: engine.presence,
    userLimits: engine.limits,
    closeEngine: engine.close,
    metrics,
    log,
    verifier,
    signingSecret: secret,
  });
  let server: Listening;
  try {
    server = await transportFor(config.transport).serve(roomd.handler, {
      port: config.port,
      hostname: config.host,
      maxMessageBytes: config.maxMessageBytes,
      log: log.getChild("transport"),
      onListen: ({ hostname, port }) => {
        log.info(`roomd listening on http://${hostname}:${port} ({transport})`, {
          hostname,
          port,
          transport: config.transport,
          maxConnections: config.maxConnections,
        });
        roomd.listening({ hostname, port });
        if (config.dev) void announceDevMode(log, `http://${hostname}:${port}`, secret);
      },
    });
  } catch (error) {
    await roomd.shutdown();
    throw cannotListen(config, error);
  }

  const stopped = Promise.withResolvers<void>();
  let stopping = false;
  const onSignal = (signal: Deno.Signal) => {
    if (stopping) {
      log.debug("Received {signal} again; the drain goes on", { signal });
      return;
    }
    stopping = true;
    log.info("Received {signal}: draining", { signal });
    stopped.resolve();
  };
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, () => onSignal(signal));
  await stopped.promise;

  const forced = setTimeout(() => {
    log.warning("Shutdown took too long; exiting");
    Deno.exit(0);
  }, config.shutdownTimeoutMs + 500);
  await roomd.shutdown();
  await server.shutdown();
  clearTimeout(forced);
  log.info("roomd stopped");
  return 0;
}

/**
 * Runs the start-up warm-up (`src/warmup.ts`) once everything that can refuse to start has been
 * opened, except in dev mode (restarts on every edit) and under `OTEL_DENO=true`, where the
 * runtime would trace every synthetic request. A warm-up that fails leaves the server cold, not
 * down.
 */
async function warmUpBeforeServing(config: Config, log: Logger): Promise<void> {
  if (config.warmupClients === 0 || config.dev) return;
  failIfPortTaken(config);
  if (Deno.env.get("OTEL_DENO") === "true") {
    log.info("No warm-up: with OTEL_DENO=true its requests would be traced");
    return;
  }
  try {
    const { joined, ms } = await warmUp(config, config.warmupClients);
    log.info("Warmed up with {joined} of {clients} synthetic clients in {ms} ms", {
      joined,
      clients: config.warmupClients,
      ms: Math.round(ms),
    });
  } catch (error) {
    log.warn("Warm-up failed: {error}; serving without it", { error: messageOf(error) });
  }
}

/** Refuses a port in use (or not allowed) before the warm-up spends a second or two on it. */
function failIfPortTaken(config: Config): void {
  if (config.port === 0) return;
  try {
    Deno.listen({ hostname: config.host, port: config.port }).close();
  } catch (error) {
    throw cannotListen(config, error);
  }
}

function cannotListen(config: Config, error: unknown): ConfigError {
  return new ConfigError(`Cannot listen on ${config.host}:${config.port}: ${messageOf(error)}`);
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

/** A failure while starting (a key that cannot be used, a data dir that cannot be read). */
function asStartupError(error: unknown): never {
  throw new ConfigError(messageOf(error));
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StoreError) {
      console.error(`roomd: ${error.message}`);
      Deno.exit(1);
    }
    throw error;
  }
}
