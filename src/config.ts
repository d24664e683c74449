/**
 * Configuration: environment variables (and an optional JSON file) validated with zod into a
 * frozen {@linkcode Config}. A bad value becomes one clear line naming the variable.
 *
 * @module
 */
import { Ajv } from "ajv";
import { z } from "zod";
import { maxConnectionsForFileLimit, readOpenFileLimit } from "./limits/file_limit.ts";

const bool = z.union([z.boolean(), z.enum(["true", "false", "1", "0"])]).transform((v) =>
  v === true || v === "true" || v === "1"
);
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max);
const list = z.union([z.array(z.string()), z.string()]).transform((v) =>
  (Array.isArray(v) ? v : v.split(",")).map((s) => s.trim()).filter((s) => s.length > 0)
);

const origin = z.string().refine((v) => URL.canParse(v) && new URL(v).origin !== "null", {
  message: "expected origins such as https://chat.example (comma-separated)",
});

/** The transports, by `ROOMD_TRANSPORT` value. */
export const TRANSPORT_NAMES = ["native", "ws"] as const;

/** A `ROOMD_TRANSPORT` value. */
export type TransportName = typeof TRANSPORT_NAMES[number];

/** A declared application message type (from the config file's `types` section). */
export interface CustomTypeConfig {
  /** JSON Schema that the message's `data` must satisfy. */
  schema: Record<string, unknown>;
  /** Largest `data`, in UTF-8 bytes of its JSON. */
  max_bytes: number;
  /** Persisted types get an id and enter history; others are relayed only. */
  persist: boolean;
}

const customType = z.object({
  schema: z.record(z.string(), z.unknown()),
  max_bytes: int(1).default(4096),
  persist: z.boolean().default(false),
}).strict();

/** Message types of roomd's own protocol; a config file cannot declare them. */
export const RESERVED_TYPES: readonly string[] = [
  "chat",
  "presence",
  "system",
  "ack",
  "error",
  "history",
  "welcome",
  "members",
  "refresh",
];

/** Variables whose values are never echoed in an error message. */
const SECRET_NAME = /SECRET|TOKEN|KEY|PASSWORD/;

/** The variables that choose where token keys come from; at most one may be set. */
const KEY_SOURCES = ["ROOMD_JWT_SECRET", "ROOMD_JWT_PUBLIC_KEY", "ROOMD_JWKS_URL"] as const;

/** Environment variable name → [config key, schema]. The table in README.md mirrors it. */
const VARIABLES = {
  PORT: ["port", int(0, 65535).default(8080)],
  HOST: ["host", z.string().min(1).default("127.0.0.1")],
  ROOMD_DATA_DIR: ["dataDir", z.string().min(1).default("./data")],
  ROOMD_STORE: ["store", z.enum(["sqlite", "memory", "redis"]).optional()],
  ROOMD_REDIS_URL: ["redisUrl", z.string().min(1).optional()],
  ROOMD_REDIS_CLUSTER: ["redisCluster", bool.default(false)],
  ROOMD_REDIS_PREFIX: ["redisPrefix", z.string().regex(/^[^{}\s]{0,64}$/).default("roomd:")],
  ROOMD_PRESENCE_TTL_S: ["presenceTtlS", int(3, 3600).default(30)],
  ROOMD_JWT_SECRET: ["jwtSecret", z.string().min(16).optional()],
  ROOMD_JWT_PUBLIC_KEY: ["jwtPublicKey", z.string().min(1).optional()],
  ROOMD_JWKS_URL: ["jwksUrl", z.url().optional()],
  ROOMD_JWT_ALGORITHMS: [
    "jwtAlgorithms",
    list.pipe(
      z.array(z.enum(["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"])),
    ).optional(),
  ],
  ROOMD_JWT_ISSUER: ["jwtIssuer", z.string().min(1).optional()],
  ROOMD_JWT_AUDIENCE: ["jwtAudience", z.string().min(1).optional()],
  ROOMD_ALLOWED_ORIGINS: ["allowedOrigins", list.pipe(z.array(origin)).optional()],
  ROOMD_PUBLIC_ORIGINS: ["publicOrigins", list.pipe(z.array(origin)).optional()],
  ROOMD_MAX_MESSAGE_BYTES: ["maxMessageBytes", int(256).default(32768)],
  ROOMD_IDLE_TIMEOUT_S: ["idleTimeoutS", int(0, 3600).default(60)],
  ROOMD_LOG_LEVEL: [
    "logLevel",
    z.enum(["debug", "info", "warn", "warning", "error"]).default("info").transform((v) =>
      v === "warn" ? "warning" : v
    ),
  ],
  ROOMD_LOG_FORMAT: ["logFormat", z.enum(["pretty", "json"]).optional()],
  ROOMD_DEFAULT_MAX_CLIENTS: ["defaultMaxClients", int(0).default(0)],
  ROOMD_EMPTY_ROOM_TTL_S: ["emptyRoomTtlS", int(1).default(300)],
  ROOMD_ROOM_GRACE_MS: ["roomGraceMs", int(0, 600_000).default(2000)],
  ROOMD_PRESENCE_TICK_MS: ["presenceTickMs", int(0, 10_000).default(50)],
  ROOMD_WELCOME_MEMBERS: ["welcomeMembers", int(0, 10_000).default(100)],
  ROOMD_USERS_CAN_CREATE_ROOMS: ["usersCanCreateRooms", bool.default(false)],
  ROOMD_HISTORY_SIZE: ["historySize", int(0).default(1000)],
  ROOMD_HISTORY_TTL_S: ["historyTtlS", int(0).default(0)],
  ROOMD_COMMIT_WINDOW_MS: ["commitWindowMs", int(0, 1000).default(0)],
  ROOMD_DEDUPE_WINDOW_S: ["dedupeWindowS", int(1, 86_400).default(300)],
  ROOMD_MSG_RATE: ["msgRate", z.coerce.number().positive().default(20)],
  ROOMD_MSG_BURST: ["msgBurst", int(1).default(40)],
  ROOMD_JOIN_RATE: ["joinRate", int(1).default(10)],
  ROOMD_METRICS_TOKEN: ["metricsToken", z.string().min(1).optional()],
  ROOMD_MAX_CONNECTIONS: ["maxConnections", int(1).optional()],
  ROOMD_MAX_CONNECTIONS_PER_USER: ["maxConnectionsPerUser", int(1).default(20)],
  ROOMD_MAX_CONNECTIONS_PER_IP: ["maxConnectionsPerIp", int(1).default(200)],
  ROOMD_TRUST_PROXY: ["trustProxy", bool.default(false)],
  ROOMD_MAX_QUEUE_BYTES: ["maxQueueBytes", int(1024).default(1024 * 1024)],
  ROOMD_SHUTDOWN_TIMEOUT_MS: ["shutdownTimeoutMs", int(100, 60_000).default(4000)],
  ROOMD_DEV: ["dev", bool.default(false)],
  ROOMD_TRANSPORT: ["transport", z.enum(TRANSPORT_NAMES).default("native")],
  ROOMD_WARMUP_CLIENTS: ["warmupClients", int(0, 100_000).default(2000)],
} as const;

type Variables = typeof VARIABLES;
type Entry<K extends keyof Variables> = Variables[K];
type ConfigOf = {
  [K in keyof Variables as Entry<K>[0]]: z.output<Entry<K>[1]>;
};

/** The server's validated, frozen configuration. */
export type Config = Readonly<
  Omit<ConfigOf, "maxConnections" | "store" | "redisUrl"> & {
    /** The storage engine: `redis` exactly when `ROOMD_REDIS_URL` is set. */
    store: "sqlite" | "memory" | "redis";
    /** Redis URLs (a seed list for a cluster); empty without Redis. */
    redisUrls: string[];
    /** Connections on this node; by default what the open-file limit leaves room for. */
    maxConnections: number;
    /** Declared application message types by name. */
    customTypes: Readonly<Record<string, CustomTypeConfig>>;
  }
>;

/** Raised when configuration is invalid; `message` is one line fit for the terminal. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Builds a {@linkcode Config} from variables (environment first, then file values).
 *
 * @param env Environment variables, e.g. `Deno.env.toObject()`.
 * @param file Parsed JSON config file: variable names as keys, plus `types`.
 * @returns The frozen configuration.
 * @throws {ConfigError} Naming the first bad variable and its problem.
 *
 * @example Defaults
 * ```ts
 * import assert from "assert";
 * import { parseConfig } from "./config.ts";
 * const config = parseConfig({ PORT: "0" });
 * assert.ok(config.port === 0 && config.historySize === 1000);
 * ```
 */
export function parseConfig(
  env: Record<string, string | undefined>,
  file: Record<string, unknown> = {},
): Config {
  const unknownKeys = Object.keys(file).filter((k) => k !== "types" && !(k in VARIABLES));
  if (unknownKeys.length > 0) {
    throw new ConfigError(`Invalid config file: unknown key "${unknownKeys[0]}"`);
  }
  const out: Record<string, unknown> = {};
  for (const [name, [key, schema]] of Object.entries(VARIABLES)) {
    const raw = env[name] !== undefined && env[name] !== "" ? env[name] : file[name];
    const result = (schema as z.ZodType).safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0];
      const shown = SECRET_NAME.test(name) ? "" : `=${JSON.stringify(raw)}`;
      throw new ConfigError(`Invalid ${name}${shown}: ${issue.message}`);
    }
    out[key] = result.data;
  }
  out.maxConnections ??= maxConnectionsForFileLimit(readOpenFileLimit());
  Object.assign(
    out,
    chooseStore(out.store as string | undefined, out.redisUrl as string | undefined),
  );
  delete out.redisUrl;
  out.customTypes = parseCustomTypes(file.types);
  const sources = KEY_SOURCES.filter((name) => out[VARIABLES[name][0]] !== undefined);
  if (sources.length > 1) {
    throw new ConfigError(
      `Invalid ${sources[1]}: set only one of ${KEY_SOURCES.join(", ")} (${
        sources.join(" and ")
      } are set)`,
    );
  }
  return Object.freeze(out) as Config;
}

/** `ROOMD_REDIS_URL` switches every seam to Redis; `ROOMD_STORE` may then only say so. */
function chooseStore(
  store: string | undefined,
  redisUrl: string | undefined,
): Pick<Config, "store" | "redisUrls"> {
  if (redisUrl === undefined) {
    if (store === "redis") {
      throw new ConfigError('Invalid ROOMD_STORE="redis": set ROOMD_REDIS_URL too');
    }
    return { store: (store ?? "sqlite") as "sqlite" | "memory", redisUrls: [] };
  }
  if (store !== undefined && store !== "redis") {
    throw new ConfigError(
      `Invalid ROOMD_STORE=${JSON.stringify(store)}: ROOMD_REDIS_URL is set, so the store is ` +
        "Redis (leave ROOMD_STORE unset or set it to redis)",
    );
  }
  const urls = redisUrl.split(",").map((u) => u.trim()).filter((u) => u.length > 0);
  const bad = urls.find((u) => !/^rediss?:\/\/[^/]/.test(u) || !URL.canParse(u));
  if (urls.length === 0 || bad !== undefined) {
    throw new ConfigError(
      "Invalid ROOMD_REDIS_URL: expected redis://[user:password@]host:port or rediss://… " +
        "(a comma-separated seed list with ROOMD_REDIS_CLUSTER=true)",
    );
  }
  return { store: "redis", redisUrls: urls };
}

function parseCustomTypes(raw: unknown): Record<string, CustomTypeConfig> {
  if (raw === undefined) return {};
  const result = z.record(z.string().regex(/^[a-z][a-z0-9_.-]{0,31}$/), customType).safeParse(
    raw,
  );
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(
      `Invalid config file: types.${issue.path.join(".")}: ${issue.message}`,
    );
  }
  const reserved = Object.keys(result.data).find((t) => RESERVED_TYPES.includes(t));
  if (reserved) {
    throw new ConfigError(`Invalid config file: types.${reserved}: "${reserved}" is built in`);
  }
  const ajv = new Ajv({ strict: false });
  for (const [name, spec] of Object.entries(result.data)) {
    try {
      ajv.compile(spec.schema);
    } catch (error) {
      const reason = (error as Error).message.split("\n")[0];
      throw new ConfigError(`Invalid config file: types.${name}.schema: ${reason}`);
    }
  }
  return Object.freeze(result.data);
}

/**
 * Reads `--config FILE` from the command line (if given) and the environment.
 *
 * @param args Command-line arguments.
 * @returns The configuration.
 * @throws {ConfigError} When the file cannot be read or a value is invalid.
 */
export async function loadConfig(args: string[] = Deno.args): Promise<Config> {
  const at = args.findIndex((a) => a === "--config" || a.startsWith("--config="));
  let file: Record<string, unknown> = {};
  if (at >= 0) {
    const path = args[at].includes("=") ? args[at].slice(9) : args[at + 1];
    if (!path) throw new ConfigError("Invalid --config: missing file name");
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (err) {
      throw new ConfigError(`Cannot read config file ${path}: ${(err as Error).message}`);
    }
    try {
      const parsed = JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        throw new Error("expected a JSON object");
      }
      file = parsed;
    } catch (err) {
      throw new ConfigError(`Invalid config file ${path}: ${(err as Error).message}`);
    }
  }
  return parseConfig(Deno.env.toObject(), file);
}
