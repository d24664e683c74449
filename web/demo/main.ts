/// <reference lib="dom" />
/**
 * The chat demo (`GET /`): pick a name and a room, chat through roomd's client SDK, and watch
 * what the connection does. Tokens come from `POST /api/dev/token` in dev mode, else from the
 * user.
 *
 * @module
 */
import { connect, type RoomClient, type StateChange } from "../../src/client/mod.ts";
import { byId, callApi, showBanner } from "../shared/api.ts";
import { type Member, MemberList, MessageLog, TypingLine } from "./view.ts";

const TYPING_EVERY_MS = 2000;

const banner = byId("error");
const log = new MessageLog();
const members = new MemberList();
const typing = new TypingLine();
let client: RoomClient | null = null;
let devTokens = false;
let typingType = false;

/** Which optional parts this server has: dev tokens and the `typing` type. */
async function discover(): Promise<void> {
  const [openapi, asyncapi] = await Promise.all([
    callApi<{ paths: Record<string, unknown> }>("/openapi.json"),
    callApi<{ components: { messages: Record<string, unknown> } }>("/asyncapi.json"),
  ]);
  devTokens = openapi.ok && "/api/dev/token" in openapi.value.paths;
  typingType = asyncapi.ok && "client.typing" in asyncapi.value.components.messages;
  byId("token-field").classList.toggle("hidden", devTokens);
  byId<HTMLInputElement>("token").required = !devTokens;
}

function subjectOf(token: string): string {
  try {
    const payload = token.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
    return String(JSON.parse(atob(payload)).sub ?? "");
  } catch {
    return "";
  }
}

async function devToken(name: string, room: string): Promise<string> {
  const result = await callApi<{ token: string }>("/api/dev/token", {
    method: "POST",
    body: { name, rooms: [room] },
  });
  if (!result.ok) throw new Error(`Cannot get a dev token: ${result.message}`);
  return result.value.token;
}

function setState(text: string, state: string): void {
  const pill = byId("state");
  pill.textContent = text;
  pill.className = `pill ${state}`;
}

function onState(change: StateChange): void {
  const reason = change.reason?.message ?? "";
  switch (change.state) {
    case "connecting":
      return setState("connecting…", "connecting");
    case "open":
      setState("connected", "open");
      if (change.previous === "reconnecting") {
        log.event(
          change.recovered === false
            ? "Reconnected, but some messages could not be recovered: history reloaded"
            : "Reconnected: no messages missed",
        );
        if (change.recovered === false) void loadHistory();
      }
      return;
    case "reconnecting":
      setState("reconnecting…", "reconnecting");
      log.event(
        `Connection lost: ${reason}. Reconnecting in ${
          ((change.delayMs ?? 0) / 1000).toFixed(1)
        } s`,
      );
      return;
    case "closed":
      setState("not connected", "closed");
      if (change.reason?.code !== "closed") {
        showBanner(banner, reason);
        log.event(`Disconnected: ${reason}`, "failed");
      }
      leave();
  }
}

async function loadHistory(): Promise<void> {
  if (client === null) return;
  try {
    const page = await client.history({ limit: 50 });
    for (const message of page.messages) if (message.type === "chat") log.add(message);
  } catch (error) {
    showBanner(banner, `Cannot load history: ${(error as Error).message}`);
  }
}

function join(name: string, room: string, pasted: string): void {
  showBanner(banner, null);
  let me = subjectOf(pasted);
  const getToken = async () => {
    const token = devTokens ? await devToken(name, room) : pasted;
    me = subjectOf(token);
    return token;
  };
  // The token rides in the query until the server answers the `roomd.token.` subprotocol.
  client = connect(location.origin, { room, getToken });
  log.reset(me);
  let first = true;
  client.on("state", onState);
  client.on("welcome", (welcome) => {
    members.set(welcome.members, me);
    log.learn(welcome.members);
    if (first) {
      first = false;
      log.reset(me);
      byId("chat").classList.remove("hidden");
      byId("text").focus();
      log.event(`Joined ${welcome.room.name || room} as ${name}`);
      void loadHistory();
    }
  });
  client.on("chat", (message) => log.add(message));
  client.on("system", (message) => {
    if ((message.data as { event?: unknown })?.event !== "epoch") return void log.add(message);
    // The server's Redis lost the room's history: ids start over, so the log does too.
    log.reset(me);
    log.event("The room's history started over on the server: history reloaded");
    void loadHistory();
  });
  client.on("presence", (message) => {
    const data = message.data;
    const joins: Member[] = data.joins ?? (data.action === "join" && data.user ? [data.user] : []);
    const leaves: Member[] = data.leaves ??
      (data.action === "leave" && data.user ? [data.user] : []);
    members.change(joins, leaves);
    log.learn(joins);
    for (const user of joins) log.event(`${user.name} joined`);
    for (const user of leaves) log.event(`${user.name} left`);
  });
  client.on("typing", (message) => {
    if (message.user_id === null || message.user_id === me) return;
    typing.signal(members.nameOf(message.user_id), (message.data as { on?: unknown }).on === true);
  });
  client.on("error", (error) => showBanner(banner, `${error.code}: ${error.message}`));
  byId("chat").classList.add("hidden");
  byId<HTMLFieldSetElement>("composer-fields").disabled = false;
  byId("leave").classList.remove("hidden");
  byId("join-button").classList.add("hidden");
}

function leave(): void {
  client?.close();
  client = null;
  byId<HTMLFieldSetElement>("composer-fields").disabled = true;
  byId("leave").classList.add("hidden");
  byId("join-button").classList.remove("hidden");
}

byId<HTMLFormElement>("join").addEventListener("submit", async (event) => {
  event.preventDefault();
  await discovered;
  const name = byId<HTMLInputElement>("name").value.trim();
  const room = byId<HTMLInputElement>("room").value.trim();
  localStorage.setItem("roomd.demo.name", name);
  leave();
  join(name, room, byId<HTMLInputElement>("token").value.trim());
});

byId("leave").addEventListener("click", () => {
  leave();
  setState("not connected", "closed");
  log.event("Left the room");
});

let lastTyping = 0;
byId("text").addEventListener("input", () => {
  if (!typingType || client === null || Date.now() - lastTyping < TYPING_EVERY_MS) return;
  lastTyping = Date.now();
  client.send("typing", { on: true }).catch(() => {});
});

byId<HTMLFormElement>("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = byId<HTMLInputElement>("text");
  const text = input.value.trim();
  if (text === "" || client === null) return;
  input.value = "";
  const line = log.pending(text);
  if (typingType) {
    lastTyping = 0;
    client.send("typing", { on: false }).catch(() => {});
  }
  client.send("chat", { text }).then(
    (ack) => log.confirm(line, ack.id, ack.timestamp),
    (error) => {
      line.classList.replace("pending", "failed");
      line.title = error.message;
      log.event(`Not sent: ${error.message}`, "failed");
    },
  );
});

byId<HTMLInputElement>("name").value = localStorage.getItem("roomd.demo.name") ?? "";
const fromHash = decodeURIComponent(location.hash.slice(1));
if (fromHash !== "") byId<HTMLInputElement>("room").value = fromHash;
const discovered = discover();
