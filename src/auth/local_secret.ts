/**
 * The HS256 secret a server uses when none is configured: made once, kept in the data
 * directory, so tokens stay valid across restarts.
 *
 * @module
 */
import { base64url } from "jose";
import { join } from "node:path";

/** The secret file's name inside the data directory. */
export const SECRET_FILE_NAME = "jwt-secret";

/** Shortest secret accepted from the file, in characters (as for `ROOMD_JWT_SECRET`). */
const MIN_SECRET_LENGTH = 16;

/** The outcome of {@linkcode loadOrCreateSecret}. */
export interface LocalSecret {
  /** The secret, used as UTF-8 bytes for HS256. */
  secret: string;
  /** Whether this call created the file. */
  created: boolean;
}

/**
 * Reads `<dataDir>/jwt-secret`, or creates the directory and the file holding 32 random bytes
 * in base64url, readable by the owner only (mode 0600). Surrounding whitespace in the file is
 * ignored, so a hand-written secret may end with a newline.
 *
 * @param dataDir The server's data directory.
 * @returns The secret, and whether it was just created.
 * @throws {Error} When the file cannot be read or written, or holds under 16 characters.
 *
 * @example Created once, then reused
 * ```ts
 * import assert from "assert";
 * import { loadOrCreateSecret } from "./local_secret.ts";
 * const dir = await Deno.makeTempDir();
 * const first = await loadOrCreateSecret(dir);
 * const again = await loadOrCreateSecret(dir);
 * assert.ok(first.created && !again.created && first.secret === again.secret);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadOrCreateSecret(dataDir: string): Promise<LocalSecret> {
  const path = join(dataDir, SECRET_FILE_NAME);
  const existing = await readSecret(path);
  if (existing !== null) return { secret: existing, created: false };
  const secret = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
  try {
    await Deno.mkdir(dataDir, { recursive: true });
    await Deno.writeTextFile(path, secret + "\n", { createNew: true, mode: 0o600 });
  } catch (err) {
    if (err instanceof Deno.errors.AlreadyExists) {
      const raced = await readSecret(path);
      if (raced !== null) return { secret: raced, created: false };
    }
    throw new Error(`Cannot create JWT secret file ${path}: ${(err as Error).message}`);
  }
  return { secret, created: true };
}

async function readSecret(path: string): Promise<string | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw new Error(`Cannot read JWT secret file ${path}: ${(err as Error).message}`);
  }
  const secret = text.trim();
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(
      `Cannot use JWT secret file ${path}: it holds ${secret.length} characters, need at least ${MIN_SECRET_LENGTH}`,
    );
  }
  return secret;
}
