/// <reference lib="dom" />
/**
 * The admin page's server panel: `GET /api/stats` and the refused connections from `/metrics`.
 *
 * @module
 */
import { byId, callApi, el } from "../shared/api.ts";

interface Stats {
  connections: number;
  rooms: number;
  messages_received: number;
  errors: number;
  rates: { messages_per_s: { "1m": number }; errors_per_s: { "1m": number } };
  uptime_s: number;
  memory: { rss_bytes: number };
}

/**
 * Refused connections by code, from Prometheus text (`roomd_connections_total{result=…}` but
 * `accepted`).
 *
 * @param text The `/metrics` body.
 * @returns Code → count, counts above zero only.
 */
export function refusedByCode(text: string): Map<string, number> {
  const refused = new Map<string, number>();
  for (const match of text.matchAll(/^roomd_connections_total\{result="([^"]+)"\} (\S+)$/gm)) {
    const count = Number(match[2]);
    if (match[1] !== "accepted" && count > 0) refused.set(match[1], count);
  }
  return refused;
}

/**
 * Reads the figures and draws them.
 *
 * @param token The admin token.
 * @returns `null`, or the error line to show.
 */
export async function refreshStats(token: string): Promise<string | null> {
  const stats = await callApi<Stats>("/api/stats", { token });
  if (!stats.ok) return `Cannot read stats: ${stats.code}: ${stats.message}`;
  const s = stats.value;
  const cards: [string, string][] = [
    ["connections", String(s.connections)],
    ["rooms (live)", String(s.rooms)],
    ["messages/s (1 m)", s.rates.messages_per_s["1m"].toFixed(2)],
    ["errors/s (1 m)", s.rates.errors_per_s["1m"].toFixed(2)],
    ["messages", String(s.messages_received)],
    ["errors", String(s.errors)],
    ["uptime", `${Math.round(s.uptime_s)} s`],
    ["memory", `${(s.memory.rss_bytes / 1048576).toFixed(0)} MiB`],
  ];
  byId("stats").replaceChildren(...cards.map(([name, value]) => {
    const card = el("div", name, "stat");
    card.prepend(el("b", value));
    return card;
  }));
  byId("stats-age").textContent = `updated ${new Date().toLocaleTimeString()}`;
  const metrics = await callApi<string>("/metrics", { token, text: true });
  const refused = byId("refused");
  if (!metrics.ok) {
    refused.textContent = `Cannot read /metrics: ${metrics.message}`;
  } else {
    const counts = refusedByCode(metrics.value);
    refused.textContent = counts.size === 0
      ? "none"
      : [...counts].map(([code, n]) => `${code}: ${n}`).join(" · ");
  }
  return null;
}
