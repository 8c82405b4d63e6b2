#!/usr/bin/env node
// `npx tailor`: runs bin/tailor.ts with tsx, with the project's node_modules/.bin first on the PATH so the
// Node 22 that `npm install` brings (the `node` package) runs it whatever the machine's own Node is.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = path.join(root, "node_modules", ".bin");
const child = spawn(
  path.join(bin, process.platform === "win32" ? "tsx.cmd" : "tsx"),
  [path.join(root, "bin", "tailor.ts"), ...process.argv.slice(2)],
  {
    stdio: "inherit",
    // Windows runs the .cmd shim through a shell only.
    shell: process.platform === "win32",
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` },
  },
);
// Ctrl-C reaches the child through the terminal; a SIGTERM sent to this launcher is passed on.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
