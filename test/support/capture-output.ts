import { vi } from "vitest";

/** What a command printed, and its exit code. */
export interface Captured {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs a CLI command in-process and returns its exit code and what it wrote to stdout and stderr (Node's own
 * warnings, such as an emulator's deprecations, left out of stderr: the process prints them, not the command).
 */
export async function captureOutput(run: () => Promise<number>): Promise<Captured> {
  let out = "";
  let err = "";
  const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  try {
    const code = await run();
    return { code, out, err: err.replace(/^\(node:\d+\) .*\n(\(Use `node --trace.*\n)?/gm, "") };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}
