/**
 * The progress line on stderr: rewritten in place on a terminal, one line per update otherwise.
 *
 * @module
 */

const encoder = new TextEncoder();
const tty = Deno.stderr.isTerminal();
let shown = false;

/**
 * Shows a progress line.
 *
 * @param text The line, without a newline.
 */
export function progress(text: string): void {
  Deno.stderr.writeSync(encoder.encode(tty ? `\r\x1b[K${text}` : `${text}\n`));
  shown = tty;
}

/** Ends the progress line so the next output starts on a fresh line. */
export function progressDone(): void {
  if (shown) Deno.stderr.writeSync(encoder.encode("\n"));
  shown = false;
}
