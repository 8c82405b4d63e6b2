/**
 * `npm test`: the type check, then Biome and the layer rules (`npm run lint`), in a child process beside Vitest
 * rather than before it. On two cores the type check keeps one core busy for about 20 s; run first, it held
 * Vitest back that long. The checks' output is printed once Vitest is done; the exit code is Vitest's, or 1
 * when a check failed. Arguments go to `vitest run` (`npm test -- test/e2e`).
 *
 * Usage: `node --import tsx test/support/npm-test.ts [vitest arguments]`.
 */
import { spawn } from "node:child_process";

/** Runs a shell command; resolves its exit code (1 when a signal ended it) and, when captured, its output. */
function run(command: string, capture: boolean): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit" });
    const chunks: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output: Buffer.concat(chunks).toString("utf8") }));
  });
}

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

const checks = run("npm run -s typecheck && npm run -s lint", true);
const vitest = await run(["vitest", "run", ...process.argv.slice(2).map(quote)].join(" "), false);
const checked = await checks;
process.stdout.write(checked.output);
if (checked.code !== 0) process.stderr.write("npm test: the type check or the lint failed (above)\n");
process.exitCode = vitest.code !== 0 ? vitest.code : checked.code === 0 ? 0 : 1;
