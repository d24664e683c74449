/**
 * What `ROOMD_DEV=true` prints at start-up: where the pages are, and a ready-to-paste admin
 * token for the admin page.
 *
 * @module
 */
import { mintToken } from "./auth/mint.ts";
import type { Logger } from "./log.ts";

/** Lifetime of the admin token printed in dev mode. */
export const DEV_ADMIN_TTL = "12h";

/**
 * Logs the demo and admin URLs and, when tokens are HS256, an admin token.
 *
 * @param log Root logger.
 * @param origin The server's origin, e.g. `http://127.0.0.1:8080`.
 * @param secret The HS256 secret, or `undefined` when tokens are checked with a public key.
 * @returns When the lines are written.
 */
export async function announceDevMode(
  log: Logger,
  origin: string,
  secret: string | undefined,
): Promise<void> {
  log.warning("Dev mode (ROOMD_DEV=true): POST /api/dev/token issues tokens; never in production");
  log.info(`Chat demo: ${origin}/`);
  if (secret === undefined) {
    log.warning(
      "Cannot issue dev tokens: tokens are verified with a public key, not ROOMD_JWT_SECRET",
    );
    return;
  }
  const token = await mintToken(
    secret,
    { sub: "dev-admin", name: "admin", admin: true },
    DEV_ADMIN_TTL,
  );
  log.info(`Admin page: ${origin}/admin (admin token for ${DEV_ADMIN_TTL}: ${token})`);
}
