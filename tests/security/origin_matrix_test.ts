import assert from "assert";
import { startServer } from "../_helpers/server.ts";
import { handshake } from "./_handshake.ts";

const PUBLIC = "https://chat.example";

/** One row: the Origin sent (null: none), an optional Host, and what must happen. */
interface Row {
  name: string;
  origin: (port: number) => string | null;
  host?: (port: number) => string;
  status: number;
  code: string | null;
}

const ROWS: Row[] = [
  { name: "own loopback origin", origin: (p) => `http://127.0.0.1:${p}`, status: 101, code: null },
  { name: "own localhost origin", origin: (p) => `http://localhost:${p}`, status: 101, code: null },
  { name: "own [::1] origin", origin: (p) => `http://[::1]:${p}`, status: 101, code: null },
  { name: "public origin", origin: () => PUBLIC, status: 101, code: null },
  {
    name: "public origin, other case",
    origin: () => "HTTPS://Chat.Example",
    status: 101,
    code: null,
  },
  { name: "no Origin with ?token=", origin: () => null, status: 403, code: "origin_not_allowed" },
  { name: "Origin null", origin: () => "null", status: 403, code: "origin_not_allowed" },
  {
    name: "Origin not a URL",
    origin: () => "chat.example",
    status: 403,
    code: "origin_not_allowed",
  },
  {
    name: "lookalike: suffix",
    origin: () => "https://chat.example.evil.test",
    status: 403,
    code: "origin_not_allowed",
  },
  {
    name: "lookalike: prefix",
    origin: () => "https://evilchat.example",
    status: 403,
    code: "origin_not_allowed",
  },
  {
    name: "lookalike: userinfo",
    origin: () => "https://chat.example@evil.test",
    status: 403,
    code: "origin_not_allowed",
  },
  {
    name: "lookalike: subdomain",
    origin: () => "https://www.chat.example",
    status: 403,
    code: "origin_not_allowed",
  },
  {
    name: "other port",
    origin: (p) => `http://127.0.0.1:${p + 1}`,
    status: 403,
    code: "origin_not_allowed",
  },
  {
    name: "public origin on another port",
    origin: () => "https://chat.example:8443",
    status: 403,
    code: "origin_not_allowed",
  },
  {
    name: "other scheme: https on the loopback port",
    origin: (p) => `https://127.0.0.1:${p}`,
    status: 403,
    code: "origin_not_allowed",
  },
  {
    name: "other scheme: ws",
    origin: (p) => `ws://127.0.0.1:${p}`,
    status: 403,
    code: "origin_not_allowed",
  },
  {
    name: "other scheme: http for an https public origin",
    origin: () => "http://chat.example",
    status: 403,
    code: "origin_not_allowed",
  },
  {
    name: "DNS rebinding: Host matches the page's origin",
    origin: (p) => `http://rebind.example:${p}`,
    host: (p) => `rebind.example:${p}`,
    status: 403,
    code: "origin_not_allowed",
  },
  {
    name: "DNS rebinding to the wildcard address",
    origin: (p) => `http://0.0.0.0:${p}`,
    host: (p) => `0.0.0.0:${p}`,
    status: 403,
    code: "origin_not_allowed",
  },
];

Deno.test("origin matrix: each Origin gets the exact answer on the WebSocket route and on a CORS preflight", async (t) => {
  const server = await startServer({ ROOMD_PUBLIC_ORIGINS: PUBLIC });
  try {
    const token = await server.token({ sub: "ann" });
    for (const row of ROWS) {
      await t.step(row.name, async () => {
        const origin = row.origin(server.port);
        const headers: Record<string, string> = {};
        if (origin !== null) headers.origin = origin;
        if (row.host) headers.host = row.host(server.port);
        const answer = await handshake(server.port, `/ws/lobby?token=${token}`, headers);
        assert.deepEqual({ status: answer.status, code: answer.code }, {
          status: row.status,
          code: row.code,
        });
        const preflight = await fetch(`${server.origin}/api/rooms`, {
          method: "OPTIONS",
          headers: { ...headers, "access-control-request-method": "GET" },
        });
        await preflight.body?.cancel();
        assert.equal(preflight.status, row.status === 101 ? 204 : 403);
      });
    }
  } finally {
    await server.close();
  }
});

Deno.test("origin matrix: a client that sends no Origin is accepted only with an Authorization header", async (t) => {
  const server = await startServer();
  try {
    const token = await server.token({ sub: "bot" });
    const cases: Array<[string, string, Record<string, string>, number, string | null]> = [
      ["Bearer, no Origin", "/ws/lobby", { authorization: `Bearer ${token}` }, 101, null],
      [
        "Bearer, foreign Origin",
        "/ws/lobby",
        { authorization: `Bearer ${token}`, origin: "https://evil.test" },
        403,
        "origin_not_allowed",
      ],
      ["?token=, no Origin", `/ws/lobby?token=${token}`, {}, 403, "origin_not_allowed"],
      [
        "subprotocol, no Origin",
        "/ws/lobby",
        { "sec-websocket-protocol": `roomd, roomd.token.${token}` },
        403,
        "origin_not_allowed",
      ],
      ["no token, no Origin", "/ws/lobby", {}, 403, "origin_not_allowed"],
    ];
    for (const [name, path, headers, status, code] of cases) {
      await t.step(name, async () => {
        const answer = await handshake(server.port, path, headers);
        assert.deepEqual({ status: answer.status, code: answer.code }, { status, code });
      });
    }
  } finally {
    await server.close();
  }
});
