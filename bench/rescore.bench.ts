import { spawn } from "node:child_process";

/**
 * The rescoring section of `npm run bench`. It runs in a process of its own: the local stack imports each
 * function's handler once per process, and the ingest section's stack already did.
 */
export function rescoreBench(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/rescore-run.ts"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(out.trimEnd().split("\n"));
      else reject(new Error(`the rescoring benchmark exited with ${code}`));
    });
  });
}
