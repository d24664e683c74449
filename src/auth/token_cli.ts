/**
 * `deno task token --sub 42 --name alice [--admin] [--rooms a,b] [--ttl 1h] [--config FILE]`:
 * prints an HS256 token signed with the secret the server uses (`ROOMD_JWT_SECRET`, else the
 * local secret file in `ROOMD_DATA_DIR`, created if missing), with the `iss` and `aud` the server
 * requires (`ROOMD_JWT_ISSUER`, `ROOMD_JWT_AUDIENCE`). Only the token goes to stdout;
 * `--help` prints the usage.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type Config, loadConfig } from "../config.ts";
import { loadOrCreateSecret } from "./local_secret.ts";
import { MAX_NAME_LENGTH, MAX_SUBJECT_LENGTH } from "./principal.ts";
import { mintToken, parseTtl } from "./mint.ts";

const USAGE =
  "usage: deno task token --sub ID [--name NAME] [--admin] [--rooms a,b] [--ttl 1h] [--config FILE]";

/** What `--help` prints. */
export const TOKEN_CLI_HELP = `Mints a token for a roomd server that signs with a shared secret.

${USAGE}

  --sub ID       user id (the token's sub), required
  --name NAME    display name
  --admin        the user may administer rooms
  --rooms a,b    room patterns the user may join (default: any room)
  --ttl 1h       lifetime: seconds, or a number followed by s, m, h or d
  --config FILE  the server's config file
  --help         this text

The secret is ROOMD_JWT_SECRET, else the local secret file in ROOMD_DATA_DIR (created if
missing). ROOMD_JWT_ISSUER and ROOMD_JWT_AUDIENCE, when set, become the iss and aud claims.
Only the token is printed on stdout.`;

/**
 * Whether the command line asks for the usage text.
 *
 * @param args Command-line arguments.
 * @returns `true` for `--help` or `-h`.
 *
 * @example
 * ```ts
 * import assert from "assert";
 * import { wantsHelp } from "./token_cli.ts";
 * assert.ok(wantsHelp(["--sub", "1", "--help"]) && !wantsHelp(["--sub", "1"]));
 * ```
 */
export function wantsHelp(args: string[]): boolean {
  return args.includes("--help") || args.includes("-h");
}

/** The outcome of {@linkcode runTokenCli}. */
export type TokenCliResult =
  | {
    ok: true;
    /** The token, for stdout. */
    token: string;
    /** A line for stderr when the local secret file was just created, else `undefined`. */
    notice: string | undefined;
  }
  | {
    ok: false;
    /** One line for stderr. */
    error: string;
  };

/** What {@linkcode runTokenCli} needs from outside; tests replace it. */
export interface TokenCliDeps {
  /** Reads the server's configuration, as `loadConfig` from `src/config.ts` does. */
  loadConfig: (args: string[]) => Promise<Config>;
}

/**
 * Parses the command line, finds the server's secret and mints a token.
 *
 * @param args Command-line arguments (without the program name).
 * @param deps Where configuration comes from.
 * @returns The token, or one error line.
 *
 * @example Missing --sub
 * ```ts
 * import assert from "assert";
 * import { runTokenCli } from "./token_cli.ts";
 * const result = await runTokenCli(["--name", "alice"]);
 * assert.ok(!result.ok && result.error.startsWith("Cannot mint token: --sub is required"));
 * ```
 */
export async function runTokenCli(
  args: string[],
  deps: TokenCliDeps = { loadConfig },
): Promise<TokenCliResult> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        sub: { type: "string" },
        name: { type: "string" },
        admin: { type: "boolean", default: false },
        rooms: { type: "string" },
        ttl: { type: "string", default: "1h" },
        config: { type: "string" },
      },
    }));
  } catch (err) {
    return fail(`${(err as Error).message}; ${USAGE}`);
  }
  const { sub, name, admin, rooms, ttl } = values;
  if (sub === undefined || sub === "") return fail(`--sub is required; ${USAGE}`);
  if (sub.length > MAX_SUBJECT_LENGTH) {
    return fail(`--sub is ${sub.length} characters, at most ${MAX_SUBJECT_LENGTH}`);
  }
  if (name !== undefined && name.length > MAX_NAME_LENGTH) {
    return fail(`--name is ${name.length} characters, at most ${MAX_NAME_LENGTH}`);
  }
  if (parseTtl(ttl) === null) {
    return fail(
      `--ttl ${JSON.stringify(ttl)} is not a lifetime (use seconds or e.g. 45s, 30m, 1h, 2d)`,
    );
  }
  let config: Config;
  try {
    config = await deps.loadConfig(args);
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  if (config.jwtPublicKey !== undefined || config.jwksUrl !== undefined) {
    return fail(
      "the server verifies tokens with ROOMD_JWT_PUBLIC_KEY or ROOMD_JWKS_URL; " +
        "tokens must come from that key's issuer",
    );
  }
  let secret = config.jwtSecret;
  let notice: string | undefined;
  if (secret === undefined) {
    try {
      const local = await loadOrCreateSecret(config.dataDir);
      secret = local.secret;
      if (local.created) notice = `Created a new JWT secret in ${config.dataDir}`;
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }
  const roomList = rooms?.split(",").map((r) => r.trim()).filter((r) => r.length > 0);
  const claims = { sub, name, admin: admin || undefined, rooms: roomList };
  const token = await mintToken(secret, claims, ttl, {
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
  });
  return { ok: true, token, notice };
}

function fail(problem: string): TokenCliResult {
  return { ok: false, error: `Cannot mint token: ${problem}` };
}

if (import.meta.main && wantsHelp(Deno.args)) {
  console.log(TOKEN_CLI_HELP);
} else if (import.meta.main) {
  const result = await runTokenCli(Deno.args);
  if (result.ok) {
    if (result.notice !== undefined) console.error(result.notice);
    console.log(result.token);
  } else {
    console.error(result.error);
    Deno.exit(1);
  }
}
