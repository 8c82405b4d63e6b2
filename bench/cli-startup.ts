/**
 * The CLI startup section of `npm run bench` (also alone: `npm run bench:cli`): how long `tailor` takes to answer
 * `--help`, a usage error, and the read commands `profile <id>` and `explain <id>`, compiled ahead (the launcher,
 * bin/tailor.mjs, as `npx tailor` runs it) against the baseline of the same code run through tsx, each the median
 * of several runs (`BENCH_CLI_RUNS`, default 5) in child processes. The reads run against a small data dir this
 * prepares (a fresh stack, a few profiles): once while its stack runs (in this process), once with the data dir
 * opened directly (no stack).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { LocalStack } from "../infra/local/local-stack.js";
import { LOCAL_NAMES } from "../infra/local-names.js";
import { DynamoProfileStore } from "../shared/aws/dynamo-profile-store.js";
import { emptyProfile } from "../shared/domain/profile/index.js";
import { startBenchStack } from "./bench-stack.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = path.join(root, "node_modules", ".bin");
/** The Node `npx tailor` runs on (the `node` package), else this one. */
const node = existsSync(path.join(bin, "node")) ? path.join(bin, "node") : process.execPath;
const CUSTOMERS = ["bench-ada", "bench-grace", "bench-alan", "bench-edsger"];

/** What each measured command must answer within, compiled (issue 14). */
const BUDGET_S = { help: 0.5, usage: 0.5, read: 1.5 } as const;

interface Case {
  readonly name: string;
  readonly args: readonly string[];
  readonly budget: number;
  /** The exit code it must end with (a usage error: 1). */
  readonly code: number;
}

/** Runs `command args` from the repository root; resolves its wall time in seconds, rejects on a wrong exit code. */
function timeRun(command: string, args: readonly string[], expectedCode: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, [...args], {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`, TAILOR_DEBUG: "" },
    });
    let err = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      err += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === expectedCode) resolve(seconds);
      else reject(new Error(`${args.join(" ")} exited with ${code}, not ${expectedCode}: ${err.trim()}`));
    });
  });
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** The ways to run the CLI compared: compiled ahead through the launcher, and tsx on the sources. */
const runners = {
  compiled: (args: readonly string[]) => [node, ["bin/tailor.mjs", ...args]] as const,
  tsx: (args: readonly string[]) =>
    [node, [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), "bin/tailor.ts", ...args]] as const,
};

async function measure(cases: readonly Case[], runs: number, log: (line: string) => void): Promise<string[]> {
  const lines: string[] = [];
  for (const c of cases) {
    const times: Record<keyof typeof runners, number[]> = { compiled: [], tsx: [] };
    // Interleaved, so that a busy spell of the machine weighs on both alike.
    for (let i = 0; i < runs; i++) {
      for (const name of ["compiled", "tsx"] as const) {
        const [command, args] = runners[name](c.args);
        times[name].push(await timeRun(command, args, c.code));
      }
    }
    const compiled = median(times.compiled);
    const tsx = median(times.tsx);
    const verdict = compiled <= c.budget ? "within" : "OVER";
    const line =
      `${c.name.padEnd(37)} compiled ${compiled.toFixed(2)} s   tsx ${tsx.toFixed(2)} s   ` +
      `${(tsx / compiled).toFixed(1)}× faster   ${verdict} the ${c.budget} s budget`;
    log(`  ${line}`);
    lines.push(line);
  }
  return lines;
}

/** A fresh data dir with a stack and a few profiles; the stack is left running. */
async function prepare(dataDir: string): Promise<LocalStack> {
  const stack = await startBenchStack(dataDir, { pollers: false });
  const profiles = new DynamoProfileStore({
    client: new DynamoDBClient({}),
    tableName: LOCAL_NAMES.profileTable,
  });
  const now = Date.now();
  for (const [i, customerId] of CUSTOMERS.entries()) {
    const profile = emptyProfile(customerId, now - i * 86_400_000);
    await profiles.put(
      { ...profile, t: { email: `${customerId}@example.com`, first_name: customerId.slice(6) } },
      undefined,
    );
  }
  return stack;
}

/** The CLI startup section of `npm run bench`: lines to print. */
export async function cliStartupBench(): Promise<string[]> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const runs = Math.max(1, Number(process.env.BENCH_CLI_RUNS ?? 5) || 5);
  const dataDir = mkdtempSync(path.join(tmpdir(), "tailor-bench-cli-"));
  try {
    log("preparing a data dir (a fresh stack, a few profiles)…");
    let stack: LocalStack | undefined = await prepare(dataDir);
    // Warm-up: builds .tailor/cli/ if it is stale, and fills tsx's cache, so neither is timed.
    for (const name of ["compiled", "tsx"] as const) {
      const [command, args] = runners[name](["--help"]);
      await timeRun(command, args, 0);
    }
    log(`timing, median of ${runs} runs each (compiled = node bin/tailor.mjs, tsx = tsx bin/tailor.ts):`);
    const id = CUSTOMERS[0] ?? "bench-ada";
    const dir = ["--data-dir", dataDir];
    /** The two read commands, on the prepared customer, named for where the data is read from. */
    const reads = (where: string) =>
      ["profile", "explain"].map((command) => ({
        name: `tailor ${command} ${id} (${where})`,
        args: [command, id, ...dir],
        budget: BUDGET_S.read,
        code: 0,
      }));
    const lines = await measure(
      [
        { name: "tailor --help", args: ["--help"], budget: BUDGET_S.help, code: 0 },
        { name: "tailor profile (usage error)", args: ["profile"], budget: BUDGET_S.usage, code: 1 },
        ...reads("stack up"),
      ],
      runs,
      log,
    );
    await stack.stop();
    stack = undefined;
    lines.push(...(await measure(reads("no stack"), runs, log)));
    return lines.map((line) => `cli startup: ${line}`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${(await cliStartupBench()).join("\n")}\n`);
  process.exit();
}
