/**
 * Shared helpers of the rooms API tests: test users and a JSON request that reads the answer.
 *
 * @module
 */
import assert from "assert";
import type { TestServer, TestUser } from "../_helpers/server.ts";

/** An admin. */
export const ADMIN: TestUser = { sub: "admin", name: "Admin", admin: true };
/** A user. */
export const ANN: TestUser = { sub: "ann", name: "Ann" };
/** Another user. */
export const BOB: TestUser = { sub: "bob", name: "Bob" };

/** Sends a JSON request and reads the JSON answer (null for an empty body). */
export async function call(
  server: TestServer,
  method: string,
  path: string,
  user?: TestUser,
  body?: unknown,
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> | null }> {
  const res = await server.request(path, {
    method,
    user,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

/** The `error.code` and `error.message` of an error answer. */
export function errorOf(body: Record<string, unknown> | null): { code: string; message: string } {
  assert.ok(
    body && typeof body.error === "object",
    `expected an error body, got ${JSON.stringify(body)}`,
  );
  return body.error as { code: string; message: string };
}
