import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** The file holding the synthesised template that every integration test file reads (`TAILOR_TEMPLATE_FILE`). */
    templateFile: string;
  }
}

const script = fileURLToPath(new URL("./synth-template.ts", import.meta.url));

/**
 * Global setup of the `integration` project: synthesises the app once, in a child process, and hands the
 * template's file to the test files (`template-env-setup.ts` puts it in `TAILOR_TEMPLATE_FILE`, which the local
 * stack and the CLIs the tests start read instead of synthesising again).
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const folder = mkdtempSync(join(tmpdir(), "tailor-template-"));
  const file = join(folder, "template.json");
  // A synth takes seconds on a quiet machine and far more on a loaded one.
  await promisify(execFile)(process.execPath, ["--import", "tsx", script, file], { timeout: 300_000 });
  project.provide("templateFile", file);
  return () => rmSync(folder, { recursive: true, force: true });
}
