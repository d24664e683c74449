/**
 * Reading server frames off a raw WebSocket connection (see raw_upgrade.ts), for tests that
 * must see the wire itself: pings, close frames, a client that never answers.
 *
 * @module
 */

/** One frame as the server sent it (servers never mask). */
export interface ServerFrame {
  /** Opcode: 1 text, 2 binary, 8 close, 9 ping, 10 pong. */
  opcode: number;
  /** Payload bytes. */
  payload: Uint8Array;
}

/**
 * Reads the frames a server sends on `conn`, starting with the bytes already read past the
 * upgrade response, until the connection ends or `stop` returns true.
 *
 * @param conn The raw connection.
 * @param already Bytes read past the response head.
 * @param stop Told each frame; reading ends once it returns `true`.
 * @returns Every frame read.
 */
export async function readServerFrames(
  conn: Deno.Conn,
  already: Uint8Array,
  stop: (frame: ServerFrame) => boolean,
): Promise<ServerFrame[]> {
  const frames: ServerFrame[] = [];
  let buffer = already;
  const chunk = new Uint8Array(65536);
  for (;;) {
    for (let frame = take(); frame !== null; frame = take()) {
      frames.push(frame);
      if (stop(frame)) return frames;
    }
    const n = await conn.read(chunk).catch(() => null);
    if (n === null) return frames;
    const joined = new Uint8Array(buffer.length + n);
    joined.set(buffer);
    joined.set(chunk.subarray(0, n), buffer.length);
    buffer = joined;
  }

  function take(): ServerFrame | null {
    if (buffer.length < 2) return null;
    let length = buffer[1] & 0x7f;
    let at = 2;
    if (length === 126) {
      if (buffer.length < 4) return null;
      length = (buffer[2] << 8) | buffer[3];
      at = 4;
    } else if (length === 127) {
      if (buffer.length < 10) return null;
      length = Number(new DataView(buffer.buffer, buffer.byteOffset + 2, 8).getBigUint64(0));
      at = 10;
    }
    if (buffer.length < at + length) return null;
    const frame = { opcode: buffer[0] & 0x0f, payload: buffer.slice(at, at + length) };
    buffer = buffer.subarray(at + length);
    return frame;
  }
}

/**
 * The code and reason of a close frame.
 *
 * @param frame A frame with opcode 8.
 * @returns Code and reason.
 */
export function closeOf(frame: ServerFrame): { code: number; reason: string } {
  const code = (frame.payload[0] << 8) | frame.payload[1];
  return { code, reason: new TextDecoder().decode(frame.payload.subarray(2)) };
}
