import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { Endpoints } from "./emulators.js";

const stateSchema = z.object({
  pid: z.number(),
  startedAt: z.string(),
  endpoints: z.object({
    dynamodb: z.string(),
    kinesis: z.string(),
    sqs: z.string(),
    s3: z.string(),
    sesv2: z.string(),
    sesWebView: z.string(),
  }),
});

/** What a running stack records in its data dir, so other `tailor` commands can find it. */
export type StackState = z.infer<typeof stateSchema>;

const fileOf = (dataDir: string) => path.join(dataDir, "stack.json");

/** Records that this process serves the stack of `dataDir` at `endpoints`. */
export function writeStackState(dataDir: string, endpoints: Endpoints): void {
  const state: StackState = { pid: process.pid, startedAt: new Date().toISOString(), endpoints };
  writeFileSync(fileOf(dataDir), `${JSON.stringify(state, null, 2)}\n`);
}

/** Removes the record (on stop), if it is this process's. */
export function clearStackState(dataDir: string): void {
  const state = readStackState(dataDir);
  if (state?.pid === process.pid) rmSync(fileOf(dataDir), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return typeof error === "object" && error !== null && "code" in error && error.code === "EPERM";
  }
}

/** The running stack of `dataDir`, or undefined if none is recorded or its process is gone. */
export function readStackState(dataDir: string): StackState | undefined {
  const file = fileOf(dataDir);
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success || !alive(parsed.data.pid)) return undefined;
  return parsed.data;
}
