import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** The folder where `synth-assemblies.ts` writes the app's checked synth (see `shared-app.ts`). */
    cdkAssemblies: string;
  }
}

const script = fileURLToPath(new URL("./synth-assemblies.ts", import.meta.url));

/**
 * Global setup of the `cdk` project: starts the one checked synth of the app that the
 * CDK tests share, in a child process, and hands its folder to the tests. The tests wait for the files they read
 * (`shared-app.ts`); the other projects run meanwhile.
 */
export default function setup(project: TestProject): () => Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), "tailor-cdk-"));
  const log = createWriteStream(join(folder, "synth.log"));
  const child = spawn(process.execPath, ["--import", "tsx", script, folder], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<void>((resolve) => {
    // Lets a waiting test fail at once, with the log, instead of at its timeout.
    child.on("error", (error) => {
      writeFileSync(join(folder, "exit.json"), JSON.stringify({ error: error.message }));
      resolve();
    });
    child.on("exit", (code, signal) => {
      writeFileSync(join(folder, "exit.json"), JSON.stringify({ code, signal }));
      resolve();
    });
  });
  project.provide("cdkAssemblies", folder);
  return async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await exited;
    rmSync(folder, { recursive: true, force: true });
  };
}
