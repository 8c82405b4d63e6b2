import { spawn } from "node:child_process";

/**
 * The segment jobs section of `npm run bench:scale` (and `tsx bench/segment-jobs.bench.ts --profiles N`): rescoring
 * with the slices in parallel against one slice, and the segment jobs' workflow with its parts in parallel
 * against one part, on a loaded table. In a process of its own: the local stack imports each handler once per
 * process.
 */
export function segmentJobsBench(
  options: { readonly profiles?: number; readonly parts?: number } = {},
): Promise<string[]> {
  const args = [
    "--import",
    "tsx",
    "bench/segment-jobs-run.ts",
    ...(options.profiles === undefined ? [] : ["--profiles", String(options.profiles)]),
    ...(options.parts === undefined ? [] : ["--parts", String(options.parts)]),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(out.trimEnd().split("\n"));
      else reject(new Error(`the segment jobs benchmark exited with ${code}`));
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const flag = (name: string) => {
    const at = process.argv.indexOf(`--${name}`);
    return at < 0 ? undefined : Number(process.argv[at + 1]);
  };
  const lines = await segmentJobsBench({ profiles: flag("profiles"), parts: flag("parts") });
  process.stdout.write(`${lines.join("\n")}\n`);
}
