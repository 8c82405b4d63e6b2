/** A repeat of the signal within this time is the same Ctrl-C seen twice (terminal and launcher), not a second. */
const ECHO_MS = 2000;

/**
 * Resolves on the first SIGINT or SIGTERM (Ctrl-C, `kill`), so the caller can stop cleanly. A second signal
 * later than {@link ECHO_MS} after the first exits at once, for a stop that hangs.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let first: number | undefined;
    const handler = (signal: NodeJS.Signals) => {
      const now = Date.now();
      if (first === undefined) {
        first = now;
        resolve(signal);
      } else if (now - first > ECHO_MS) {
        process.stderr.write("stopping now\n");
        process.exit(130);
      }
    };
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
  });
}
