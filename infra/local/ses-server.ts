import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { Config as SesConfig } from "aws-ses-v2-local";
import { LocalStackError } from "./local-errors.js";

/** aws-ses-v2-local's server factory. */
export type SesServer = (config?: Partial<SesConfig>) => Promise<Server>;

function isSesServer(value: unknown): value is SesServer {
  return typeof value === "function";
}

/**
 * aws-ses-v2-local is CommonJS with `exports.default`: Node's ESM loader and vitest disagree on what a default
 * import of it is, so it is required, which means the same everywhere (the local stack, and the tests that run
 * the emulator on its own).
 */
export function loadSesServer(): SesServer {
  const module: unknown = createRequire(import.meta.url)("aws-ses-v2-local");
  const start =
    typeof module === "object" && module !== null && "default" in module ? module.default : undefined;
  if (!isSesServer(start)) throw new LocalStackError("aws-ses-v2-local exports no server function");
  return start;
}
