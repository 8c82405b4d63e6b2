/**
 * One status line that rewrites itself on a terminal; elsewhere (CI, a pipe) it prints a line every few
 * seconds instead of flooding the log.
 */
export class ProgressLine {
  readonly #out: NodeJS.WriteStream;
  #lastPrinted = 0;
  #shown = false;

  constructor(out: NodeJS.WriteStream = process.stderr) {
    this.#out = out;
  }

  update(text: string): void {
    if (this.#out.isTTY) {
      const width = this.#out.columns ?? 120;
      this.#out.write(`\r\x1b[2K${text.slice(0, Math.max(20, width - 1))}`);
      this.#shown = true;
      return;
    }
    const now = Date.now();
    if (now - this.#lastPrinted >= 3000) {
      this.#lastPrinted = now;
      this.#out.write(`${text}\n`);
    }
  }

  /** Ends the line (on a terminal, leaves `text` or the last update in place). */
  done(text?: string): void {
    if (this.#out.isTTY) {
      if (text !== undefined) this.update(text);
      if (this.#shown || text !== undefined) this.#out.write("\n");
    } else if (text !== undefined) {
      this.#out.write(`${text}\n`);
    }
    this.#shown = false;
  }
}

/** `[██████░░░░] 60%` for `done` of `total` (total may be an estimate, so it caps at 99% until finished). */
export function bar(done: number, total: number, finished: boolean, width = 20): string {
  const ratio = finished ? 1 : total > 0 ? Math.min(0.99, done / total) : 0;
  const filled = Math.round(ratio * width);
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%`;
}
