/// <reference lib="dom" />
/**
 * The admin page (`GET /admin`): an admin token, then live figures and room management, all
 * through roomd's HTTP API.
 *
 * @module
 */
import { byId, callApi, showBanner } from "../shared/api.ts";
import { drawRoomDetail, drawRooms, fillRoomForm, readRoomForm, type Room } from "./rooms.ts";
import { refreshStats } from "./stats.ts";

const TOKEN_KEY = "roomd.admin.token";
const POLL_MS = 2000;

let token = sessionStorage.getItem(TOKEN_KEY) ?? "";
let selected: Room | null = null;
let timer: ReturnType<typeof setInterval> | undefined;
const banner = byId("error");
const roomForm = byId<HTMLFormElement>("room-form");

function report(error: string | null): void {
  showBanner(banner, error);
}

async function refresh(): Promise<void> {
  const statsError = await refreshStats(token);
  if (statsError !== null) {
    report(statsError);
    if (/unauthorized|forbidden/.test(statsError)) stop();
    return;
  }
  const rooms = await callApi<{ rooms: Room[] }>("/api/rooms?limit=1000", { token });
  if (!rooms.ok) return report(`Cannot list rooms: ${rooms.code}: ${rooms.message}`);
  if (selected !== null) {
    selected = rooms.value.rooms.find((room) => room.id === selected?.id) ?? null;
  }
  drawRooms(rooms.value.rooms, selected?.id ?? null, select);
  if (selected !== null) await drawRoomDetail(token, selected, report, refresh);
  else byId("room-detail").classList.add("hidden");
}

function select(room: Room | null): void {
  selected = room;
  fillRoomForm(roomForm, room);
  report(null);
  void refresh();
}

function start(): void {
  byId("console").classList.remove("hidden");
  byId("logout").classList.remove("hidden");
  clearInterval(timer);
  timer = setInterval(() => void refresh(), POLL_MS);
  void refresh();
}

function stop(): void {
  clearInterval(timer);
  byId("console").classList.add("hidden");
}

byId<HTMLFormElement>("login").addEventListener("submit", (event) => {
  event.preventDefault();
  token = byId<HTMLInputElement>("token").value.trim();
  sessionStorage.setItem(TOKEN_KEY, token);
  report(null);
  start();
});

byId("logout").addEventListener("click", () => {
  token = "";
  sessionStorage.removeItem(TOKEN_KEY);
  byId<HTMLInputElement>("token").value = "";
  byId("logout").classList.add("hidden");
  stop();
});

roomForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const read = readRoomForm(roomForm);
  if (!read.ok) return report(read.error);
  const id = (roomForm.elements.namedItem("id") as HTMLInputElement).value.trim();
  const result = selected
    ? await callApi<Room>(`/api/rooms/${encodeURIComponent(selected.id)}`, {
      method: "PATCH",
      token,
      body: read.body,
    })
    : await callApi<Room>("/api/rooms", { method: "POST", token, body: { id, ...read.body } });
  if (!result.ok) {
    return report(`Cannot ${selected ? "save" : "create"} room: ${result.code}: ${result.message}`);
  }
  select(result.value);
});

byId("room-new").addEventListener("click", () => select(null));

byId("room-delete").addEventListener("click", async () => {
  if (selected === null) return;
  const result = await callApi(`/api/rooms/${encodeURIComponent(selected.id)}`, {
    method: "DELETE",
    token,
  });
  if (!result.ok) return report(`Cannot delete room: ${result.code}: ${result.message}`);
  select(null);
});

byId<HTMLFormElement>("publish").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (selected === null) return;
  const input = (event.target as HTMLFormElement).elements.namedItem("text") as HTMLInputElement;
  const result = await callApi(`/api/rooms/${encodeURIComponent(selected.id)}/messages`, {
    method: "POST",
    token,
    body: { type: "system", data: { text: input.value } },
  });
  if (!result.ok) return report(`Cannot publish: ${result.code}: ${result.message}`);
  input.value = "";
  void refresh();
});

if (token !== "") {
  byId<HTMLInputElement>("token").value = token;
  start();
}
