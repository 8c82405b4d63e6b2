import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const consoleDir = fileURLToPath(new URL("../shared/console/app/", import.meta.url));
const require = createRequire(import.meta.url);

/** The page: its script and styles, and the element the console renders into. */
const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tailor console</title>
<link rel="stylesheet" href="./app.css">
<script type="module" src="./app.js"></script>
</head>
<body>
<div id="console"><p>Loading the console…</p></div>
</body>
</html>
`;

/** The files the console is made of (without `config.json`, which whoever serves it writes). */
export const CONSOLE_FILES = ["index.html", "app.js", "app.css"] as const;

/**
 * Builds the console's page into `outDir`: `index.html`, `app.js` (the Preact app of `shared/console/app`, bundled
 * and minified by esbuild, uPlot included) and `app.css` (uPlot's styles, then the console's). The page reads
 * `config.json` beside it at start: the local stack writes one (`apiUrl` "", no sign-in), the stack's static site
 * another.
 */
export async function buildConsoleAssets(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: [path.join(consoleDir, "main.tsx")],
    outfile: path.join(outDir, "app.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["es2022"],
    minify: true,
    jsx: "automatic",
    jsxImportSource: "preact",
    legalComments: "none",
    logLevel: "silent",
  });
  const [uplotCss, ownCss] = await Promise.all([
    readFile(require.resolve("uplot/dist/uPlot.min.css"), "utf8"),
    readFile(path.join(consoleDir, "app.css"), "utf8"),
  ]);
  await Promise.all([
    writeFile(path.join(outDir, "app.css"), `${uplotCss}\n${ownCss}`),
    writeFile(path.join(outDir, "index.html"), INDEX_HTML),
  ]);
}
