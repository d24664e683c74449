/// <reference lib="dom" />
/**
 * The admin page's rooms: the list, the create/edit form, and one room's members and history.
 *
 * @module
 */
import { byId, callApi, el, redraw } from "../shared/api.ts";

/** A room as `GET /api/rooms` lists it. */
export interface Room {
  id: string;
  name: string;
  is_private: boolean;
  members: string[];
  created_by: string | null;
  /** `api` for rooms created through the API (their creator owns them), `auto` for on demand. */
  origin: string;
  metadata: Record<string, unknown>;
  max_clients: number;
  members_online: number;
  connections: number;
}

interface Member {
  id: string;
  name: string;
  connections: number;
}

interface StoredMessage {
  id: number;
  type: string;
  user_id: string | null;
  data: unknown;
}

/** Reports an API error (or `null` when all went well). */
export type Report = (error: string | null) => void;

/**
 * Draws the room list.
 *
 * @param rooms The rooms.
 * @param selected The selected room's id.
 * @param onSelect Called with a room when its row is clicked.
 */
export function drawRooms(rooms: Room[], selected: string | null, onSelect: (r: Room) => void) {
  redraw(byId("rooms"), [rooms, selected], () =>
    rooms.map((room) => {
      const row = el("tr", "", room.id === selected ? "selected" : "");
      row.dataset.room = room.id;
      for (
        const cell of [
          room.id,
          room.name,
          room.is_private ? "yes" : "no",
          String(room.members_online),
          String(room.connections),
          room.max_clients === 0 ? "—" : String(room.max_clients),
        ]
      ) row.append(el("td", cell));
      row.addEventListener("click", () => onSelect(room));
      return row;
    }));
  byId("rooms-note").textContent = rooms.length === 0 ? "No rooms yet." : "";
}

/**
 * Reads the room form into a create or patch body.
 *
 * @param form The form.
 * @returns The body, or the error line when metadata is not a JSON object.
 */
export function readRoomForm(
  form: HTMLFormElement,
): { ok: true; body: Record<string, unknown> } | { ok: false; error: string } {
  const data = new FormData(form);
  let metadata: unknown;
  try {
    metadata = JSON.parse(String(data.get("metadata") || "{}"));
  } catch (error) {
    return { ok: false, error: `Invalid metadata: ${(error as Error).message}` };
  }
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    return { ok: false, error: "Invalid metadata: must be a JSON object" };
  }
  const body: Record<string, unknown> = {
    max_clients: Number(data.get("max_clients") || 0),
    is_private: data.get("is_private") === "on",
    members: String(data.get("members") ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    metadata,
  };
  const name = String(data.get("name") ?? "").trim();
  if (name !== "") body.name = name;
  return { ok: true, body };
}

/**
 * Fills the form with a room (or empties it for a new one).
 *
 * @param form The form.
 * @param room The room, or `null`.
 */
export function fillRoomForm(form: HTMLFormElement, room: Room | null): void {
  const field = (name: string) => form.elements.namedItem(name) as HTMLInputElement;
  field("id").value = room?.id ?? "";
  field("id").readOnly = room !== null;
  field("name").value = room?.name ?? "";
  field("max_clients").value = String(room?.max_clients ?? 0);
  field("is_private").checked = room?.is_private ?? false;
  field("members").value = room?.members.join(", ") ?? "";
  (form.elements.namedItem("metadata") as HTMLTextAreaElement).value = JSON.stringify(
    room?.metadata ?? {},
  );
  byId("room-form-title").textContent = room ? `Edit room ${room.id}` : "Create a room";
  byId("room-save").textContent = room ? "Save" : "Create";
  byId("room-delete").classList.toggle("hidden", room === null);
}

/**
 * Draws a room's members and history.
 *
 * @param token The admin token.
 * @param room The room.
 * @param report Where errors go.
 * @param onChanged Called after a user was disconnected.
 */
export async function drawRoomDetail(
  token: string,
  room: Room,
  report: Report,
  onChanged: () => void,
): Promise<void> {
  byId("room-detail").classList.remove("hidden");
  byId("detail-id").textContent = room.id;
  const path = `/api/rooms/${encodeURIComponent(room.id)}`;
  const [members, history] = await Promise.all([
    callApi<{ members: Member[] }>(`${path}/members?limit=200`, { token }),
    callApi<{ messages: StoredMessage[] }>(`${path}/messages?limit=50`, { token }),
  ]);
  if (!members.ok) return report(`Cannot list members: ${members.code}: ${members.message}`);
  if (!history.ok) return report(`Cannot read history: ${history.code}: ${history.message}`);
  redraw(byId("members"), [room, members.value], () =>
    members.value.members.map((member) => {
      const row = el("tr");
      row.append(el("td", member.id), el("td", member.name), el("td", String(member.connections)));
      const kick = el("button", "Disconnect", "danger");
      kick.type = "button";
      if (room.origin === "api" && member.id === room.created_by) {
        // A private room still admits its owner, so a membership change cannot remove them.
        kick.disabled = true;
        kick.title = "The room's owner cannot be removed through the HTTP API";
      }
      kick.addEventListener("click", async () => {
        const others = room.is_private
          ? room.members
          : [...room.members, ...members.value.members.map((m) => m.id)];
        const result = await callApi(path, {
          method: "PATCH",
          token,
          body: {
            is_private: true,
            members: [...new Set(others)].filter((id) => id !== member.id),
          },
        });
        report(
          result.ok ? null : `Cannot disconnect ${member.id}: ${result.code}: ${result.message}`,
        );
        onChanged();
      });
      const cell = el("td");
      cell.append(kick);
      row.append(cell);
      return row;
    }));
  redraw(
    byId("history"),
    history.value,
    () =>
      [...history.value.messages].reverse().map((message) => {
        const row = el("tr");
        const data = el("td");
        data.append(el("pre", JSON.stringify(message.data)));
        row.append(
          el("td", String(message.id)),
          el("td", message.type),
          el("td", message.user_id ?? "server"),
          data,
        );
        return row;
      }),
  );
}
