import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { handlerLoader } from "#infra/local/handler-loader.js";
import { lambdaContext } from "#infra/local/kinesis-event.js";
import { LocalStackError } from "#infra/local/local-errors.js";
import { functionSpec } from "./function-spec.js";
import { tempDir } from "./helpers.js";

/**
 * The handler loader on deployed bundles (`bundlesDir`): each function's `index.mjs` in its code asset, which is
 * its task root. The bundles-alone integration test runs the real ones; here, small modules stand in for them.
 */

const assets = tempDir("tailor-loader-bundles-");
afterAll(() => assets.remove());

/** A bundle that reports the environment it saw when its module loaded (handlers read theirs at cold start). */
function writeBundle(folder: string): string {
  const file = path.join(assets.dir, folder, "index.mjs");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    [
      "const seen = { dir: process.env.SEGMENTS_DIR, file: process.env.TEMPLATES_FILE, url: process.env.PUBLIC_API_URL };",
      "export const handler = async () => seen;",
    ].join("\n"),
  );
  return file;
}

describe("handlerLoader with bundlesDir", () => {
  it("imports functions/<name>/handler.ts's bundle, with relative *_DIR and *_FILE inside its asset", async () => {
    // GIVEN a bundle of the function folder `probe`, and a function whose entry is that folder's handler
    const file = writeBundle("probe");
    const fn = {
      ...functionSpec("tailor-probe", {
        SEGMENTS_DIR: "templates/segments",
        TEMPLATES_FILE: "compiled-templates.json",
        PUBLIC_API_URL: "http://127.0.0.1:8006",
      }),
      entry: "functions/probe/handler.ts",
    };
    const loaded: [string, string][] = [];
    // WHEN it is loaded from the bundles
    const load = handlerLoader({
      bundlesDir: assets.dir,
      onLoad: (spec, moduleFile) => loaded.push([spec.name, moduleFile]),
    });
    const handler = await load(fn);
    // THEN its module is the bundle, and its paths resolve in its asset as in Lambda's task root
    expect(loaded).toEqual([["tailor-probe", file]]);
    expect(
      await handler?.(
        {},
        lambdaContext(
          { functionName: fn.name, functionArn: fn.arn, memorySize: 128, timeoutSeconds: 3 },
          Date.now(),
        ),
      ),
    ).toEqual({
      dir: path.join(assets.dir, "probe", "templates/segments"),
      file: path.join(assets.dir, "probe", "compiled-templates.json"),
      url: "http://127.0.0.1:8006",
    });
    expect(process.env.SEGMENTS_DIR).not.toBe(path.join(assets.dir, "probe", "templates/segments"));
  });

  it("names the function and the bundle it could not load", async () => {
    const fn = { ...functionSpec("tailor-missing", {}), entry: "functions/missing/handler.ts" };
    const load = handlerLoader({ bundlesDir: assets.dir });
    const error = await load(fn).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LocalStackError);
    expect(String(error)).toContain(
      `tailor-missing: its bundle ${path.join(assets.dir, "missing", "index.mjs")}`,
    );
  });
});
