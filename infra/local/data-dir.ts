import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LocalStackError } from "./local-errors.js";

/** Where the local stack keeps its state unless told otherwise (relative to the working directory). */
export const defaultDataDir = ".tailor/data";

// Written into every data dir the stack creates, so `fresh` never wipes a folder that is not ours.
const MARKER = "tailor-data.json";

/** The absolute data dir for `dataDir` (default `.tailor/data` under the working directory). */
export function resolveDataDir(dataDir: string | undefined): string {
  return path.resolve(dataDir ?? defaultDataDir);
}

/**
 * Creates the data dir (and its marker) if needed; with `fresh`, wipes it first. Refuses to wipe a non-empty
 * folder that the local stack did not create, so a mistyped `--data-dir` cannot delete someone's files.
 */
export function prepareDataDir(dir: string, options: { fresh: boolean }): void {
  if (options.fresh && existsSync(dir)) {
    const entries = readdirSync(dir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new LocalStackError(`refusing to wipe ${dir}: it is not a Tailor data dir (no ${MARKER})`);
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  const marker = path.join(dir, MARKER);
  if (!existsSync(marker)) {
    writeFileSync(marker, `${JSON.stringify({ createdAt: new Date().toISOString() })}\n`);
  }
}

/** A sub-folder of the data dir for one emulator or component, created if missing. */
export function dataSubdir(dir: string, name: string): string {
  const sub = path.join(dir, name);
  mkdirSync(sub, { recursive: true });
  return sub;
}
