/**
 * The naive baseline: a plain `Map<room, Set<WebSocket>>` relay with no auth, validation,
 * persistence or acks, to measure roomd's overhead against. Reads PORT and HOST like roomd.
 *
 * ```sh
 * PORT=8081 deno run -A bench/baseline_server.ts
 * ```
 *
 * @module
 */
import { relayFrame } from "./_baseline_relay.ts";

const rooms = new Map<string, Set<WebSocket>>();
const route = new URLPattern({ pathname: "/ws/:room" });
let counter = 0;

Deno.serve({
  port: Number(Deno.env.get("PORT") ?? 8080),
  hostname: Deno.env.get("HOST") ?? "127.0.0.1",
}, (request) => {
  const room = route.exec(request.url)?.pathname.groups.room;
  if (room === undefined || request.headers.get("upgrade") !== "websocket") {
    return new Response("not found", { status: 404 });
  }
  const user = new URL(request.url).searchParams.get("user") ?? `user-${++counter}`;
  const { socket, response } = Deno.upgradeWebSocket(request);
  socket.onopen = () => {
    const members = rooms.get(room) ?? rooms.set(room, new Set()).get(room)!;
    members.add(socket);
  };
  socket.onclose = () => {
    const members = rooms.get(room);
    members?.delete(socket);
    if (members?.size === 0) rooms.delete(room);
  };
  socket.onmessage = (event) => {
    const out = relayFrame(event.data, room, user);
    if (out === null) return;
    for (const peer of rooms.get(room) ?? []) {
      if (peer !== socket && peer.readyState === WebSocket.OPEN) peer.send(out);
    }
  };
  return response;
});
