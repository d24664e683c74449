/**
 * The naive baseline on `node:http` + `npm:ws`: the same `Map<room, Set<socket>>` relay as
 * `baseline_server.ts`, the fair baseline for roomd's `ws` transport. Reads PORT and HOST.
 *
 * ```sh
 * PORT=8081 deno run -A bench/baseline_ws_server.ts
 * ```
 *
 * @module
 */
import { createServer } from "node:http";
// @ts-types="../src/transport/_ws.d.ts"
import { type WebSocket, WebSocketServer } from "ws";
import { relayFrame } from "./_baseline_relay.ts";

const rooms = new Map<string, Set<WebSocket>>();
const route = new URLPattern({ pathname: "/ws/:room" });
let counter = 0;

const server = createServer((_req, res) => {
  res.writeHead(404).end("not found");
});
const wss = new WebSocketServer({ noServer: true, clientTracking: false });
server.on("upgrade", (req, socket, head) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  const room = route.exec(url)?.pathname.groups.room;
  if (room === undefined) {
    socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n");
    return;
  }
  const user = url.searchParams.get("user") ?? `user-${++counter}`;
  wss.handleUpgrade(req, socket, head, (ws) => {
    const members = rooms.get(room) ?? rooms.set(room, new Set()).get(room)!;
    members.add(ws);
    ws.on("error", () => {});
    ws.once("close", () => {
      members.delete(ws);
      if (members.size === 0) rooms.delete(room);
    });
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      const out = relayFrame(data.toString(), room, user);
      if (out === null) return;
      for (const peer of rooms.get(room) ?? []) {
        if (peer !== ws && peer.readyState === 1) peer.send(out);
      }
    });
  });
});
server.listen(Number(Deno.env.get("PORT") ?? 8080), Deno.env.get("HOST") ?? "127.0.0.1");
