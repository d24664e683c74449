import assert from "assert";
import { base64url, exportSPKI, generateKeyPair, SignJWT } from "jose";
import { startServer, TEST_SECRET } from "../_helpers/server.ts";
import { handshake } from "./_handshake.ts";

const ISSUER = "https://issuer.test";
const AUDIENCE = "roomd-test";
const KEY = new TextEncoder().encode(TEST_SECRET);
const now = () => Math.floor(Date.now() / 1000);

/** A token signed with the server's secret; `claims` are merged over valid ones. */
function signed(claims: Record<string, unknown> = {}, alg = "HS256", key: Uint8Array = KEY) {
  const payload = { sub: "ann", iss: ISSUER, aud: AUDIENCE, exp: now() + 600, ...claims };
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined) delete payload[name as keyof typeof payload];
  }
  return new SignJWT(payload).setProtectedHeader({ alg, typ: "JWT" }).sign(key);
}

function unsigned(): string {
  const part = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${part({ alg: "none", typ: "JWT" })}.${
    part({ sub: "ann", iss: ISSUER, aud: AUDIENCE, exp: now() + 600 })
  }.`;
}

/** One row: how the token is made, and the exact answer. */
type Row = [
  name: string,
  token: () => Promise<string> | string,
  status: number,
  code: string | null,
  reason?: RegExp,
];

const ROWS: Row[] = [
  ["a valid token", () => signed(), 101, null],
  ["alg none", unsigned, 401, "unauthorized", /malformed token|algorithm not allowed/],
  [
    "HS512 with the server's secret",
    () => signed({}, "HS512"),
    401,
    "unauthorized",
    /algorithm not allowed/,
  ],
  [
    "another secret",
    () => signed({}, "HS256", new TextEncoder().encode("x".repeat(32))),
    401,
    "unauthorized",
    /invalid signature/,
  ],
  ["expired", () => signed({ exp: now() - 60 }), 401, "unauthorized", /token expired/],
  ["nbf in the future", () => signed({ nbf: now() + 600 }), 401, "unauthorized", /not yet valid/],
  ["no sub", () => signed({ sub: undefined }), 401, "unauthorized", /"sub"/],
  ["no exp", () => signed({ exp: undefined }), 401, "unauthorized", /"exp"/],
  [
    "wrong iss",
    () => signed({ iss: "https://other.test" }),
    401,
    "unauthorized",
    /issuer mismatch/,
  ],
  ["no iss", () => signed({ iss: undefined }), 401, "unauthorized", /"iss"/],
  ["wrong aud", () => signed({ aud: "other" }), 401, "unauthorized", /audience mismatch/],
  ["over 8 KiB", () => signed({ pad: "x".repeat(8200) }), 401, "unauthorized", /token too large/],
  ["garbage", () => "not.a.token", 401, "unauthorized", /malformed token/],
];

/** The three ways a token travels, with what each needs besides the token. */
function transports(
  origin: string,
): Array<[string, (token: string) => [string, Record<string, string>]]> {
  return [
    ["Authorization header", (token) => ["/ws/lobby", { authorization: `Bearer ${token}` }]],
    [
      "subprotocol",
      (token) => ["/ws/lobby", { origin, "sec-websocket-protocol": `roomd, roomd.token.${token}` }],
    ],
    ["?token=", (token) => [`/ws/lobby?token=${token}`, { origin }]],
  ];
}

Deno.test("token matrix: each token gets the exact status and code by every transport and on the API", async (t) => {
  const server = await startServer({ ROOMD_JWT_ISSUER: ISSUER, ROOMD_JWT_AUDIENCE: AUDIENCE });
  try {
    for (const [name, make, status, code, reason] of ROWS) {
      const token = await make();
      for (const [transport, request] of transports(server.origin)) {
        await t.step(`${name} (${transport})`, async () => {
          const [path, headers] = request(token);
          const answer = await handshake(server.port, path, headers);
          assert.deepEqual({ status: answer.status, code: answer.code }, { status, code });
        });
      }
      await t.step(`${name} (HTTP API)`, async () => {
        const res = await fetch(`${server.origin}/api/rooms/lobby`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = await res.json();
        if (status === 101) {
          assert.ok(res.status === 200 || res.status === 404, String(res.status));
        } else {
          assert.deepEqual({ status: res.status, code: body.error.code }, { status, code });
          if (reason) assert.match(body.error.message, reason);
        }
      });
    }
  } finally {
    await server.close();
  }
});

Deno.test("token matrix: with a public key, an HS256 token keyed with that public key is refused", async () => {
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const pem = await exportSPKI(publicKey);
  const server = await startServer({ ROOMD_JWT_SECRET: "", ROOMD_JWT_PUBLIC_KEY: pem });
  try {
    const claims = { sub: "ann", exp: now() + 600 };
    const good = await new SignJWT(claims).setProtectedHeader({ alg: "RS256" }).sign(privateKey);
    const confused = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(pem));
    const accepted = await handshake(server.port, "/ws/lobby", { authorization: `Bearer ${good}` });
    assert.equal(accepted.status, 101);
    const refused = await handshake(server.port, "/ws/lobby", {
      authorization: `Bearer ${confused}`,
    });
    assert.deepEqual({ status: refused.status, code: refused.code }, {
      status: 401,
      code: "unauthorized",
    });
    const api = await fetch(`${server.origin}/api/rooms/lobby`, {
      headers: { authorization: `Bearer ${confused}` },
    });
    const body = await api.json();
    assert.deepEqual([api.status, body.error.message], [
      401,
      "Cannot authenticate: algorithm not allowed",
    ]);
  } finally {
    await server.close();
  }
});
