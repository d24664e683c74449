/**
 * Which origins are the server's own: `ROOMD_ALLOWED_ORIGINS` when set; otherwise the loopback
 * origins of the address it listens on (when that is a loopback address) plus
 * `ROOMD_PUBLIC_ORIGINS`.
 *
 * @module
 */
import { type AllowedOrigins, normalizeOrigin } from "./origin.ts";

/** The configuration the rule is built from. */
export interface ServerOriginsOptions {
  /** `ROOMD_ALLOWED_ORIGINS`: when set, exactly these origins and nothing else. */
  allowedOrigins?: readonly string[];
  /** `ROOMD_PUBLIC_ORIGINS`: the origins the server is reached at through proxies or DNS. */
  publicOrigins?: readonly string[];
}

/** The address the server listens on. */
export interface ListenAddress {
  /** Host name or IP address as bound (`127.0.0.1`, `::1`, `0.0.0.0`, …). */
  hostname: string;
  /** Port. */
  port: number;
}

/**
 * The allowed origins of one server. Until {@linkcode ServerOrigins.listening} is told the bound
 * address, only configured origins are allowed.
 *
 * @example Bound to loopback
 * ```ts
 * import assert from "assert";
 * import { ServerOrigins } from "./server_origins.ts";
 * const origins = new ServerOrigins({ publicOrigins: ["https://chat.example"] });
 * origins.listening({ hostname: "127.0.0.1", port: 8080 });
 * assert.ok(origins.has("http://localhost:8080") && origins.has("https://chat.example"));
 * assert.ok(!origins.has("http://localhost:8081"));
 * ```
 */
export class ServerOrigins implements AllowedOrigins {
  readonly #configured: ReadonlySet<string>;
  readonly #fixed: boolean;
  #loopback: ReadonlySet<string> = new Set();

  /**
   * @param options Allowed and public origins from configuration.
   * @throws {TypeError} When a configured origin is not a URL with a host.
   */
  constructor(options: ServerOriginsOptions) {
    this.#fixed = options.allowedOrigins !== undefined;
    const list = options.allowedOrigins ?? options.publicOrigins ?? [];
    this.#configured = new Set(list.map((entry) => {
      const origin = normalizeOrigin(entry);
      if (origin === null) {
        throw new TypeError(`Cannot use origin ${JSON.stringify(entry)}: not a URL with a host`);
      }
      return origin;
    }));
  }

  /**
   * Learns the bound address: a loopback address adds its loopback origins
   * (`http://127.0.0.1:PORT`, `http://localhost:PORT`, `http://[::1]:PORT`), unless
   * `ROOMD_ALLOWED_ORIGINS` fixed the list.
   *
   * @param addr The address the server listens on.
   * @returns A warning for the operator when no browser origin at all would be accepted (bound
   *   to a public or wildcard address with neither allowed nor public origins), else `null`.
   */
  listening(addr: ListenAddress): string | null {
    if (this.#fixed) return null;
    this.#loopback = isLoopback(addr.hostname)
      ? new Set(
        ["127.0.0.1", "localhost", "[::1]"].map((host) => `http://${host}:${addr.port}`),
      )
      : new Set();
    if (this.#loopback.size > 0 || this.#configured.size > 0) return null;
    return `Browsers cannot connect: listening on ${addr.hostname}, which is not a loopback ` +
      "address, with neither ROOMD_PUBLIC_ORIGINS nor ROOMD_ALLOWED_ORIGINS set; only clients " +
      "that send no Origin and authenticate with an Authorization header are accepted";
  }

  /**
   * Whether a normalized origin is one of the server's.
   *
   * @param origin The origin.
   * @returns `true` when allowed.
   */
  has(origin: string): boolean {
    return this.#configured.has(origin) || this.#loopback.has(origin);
  }

  /** Every allowed origin, for logs. */
  get list(): string[] {
    return [...this.#configured, ...this.#loopback];
  }
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
