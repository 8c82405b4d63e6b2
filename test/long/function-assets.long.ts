import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { buildApp } from "#infra/app.js";
import { type FunctionAsset, writeFunctionAssets } from "#infra/function-assets.js";
import { ENTRY_METADATA } from "#infra/local-names.js";
import { LOCAL_STACK_SETTINGS } from "#infra/local-settings.js";

/**
 * `writeFunctionAssets` (what the bundles-alone test and `startLocalStack({ bundles })` run) against the code
 * assets `cdk synth` stages for `cdk deploy` (the app synthesised here with bundling on, as `cdk synth` does): the
 * same files, and the same bytes in each but the source map (its paths are relative to where esbuild wrote it).
 */

const functionSchema = z.object({
  Type: z.literal("AWS::Lambda::Function"),
  Metadata: z.object({ [ENTRY_METADATA]: z.string() }),
  Properties: z.object({ Code: z.object({ S3Key: z.string() }) }),
});

/** Every file under `dir`, relative to it, sorted. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((dirent) => dirent.isFile())
    .map((dirent) => path.relative(dir, path.join(dirent.parentPath, dirent.name)))
    .sort();
}

const dir = mkdtempSync(path.join(tmpdir(), "tailor-assets-"));
const cdkOut = mkdtempSync(path.join(tmpdir(), "tailor-cdk-out-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(cdkOut, { recursive: true, force: true });
});

describe("function code assets written outside the CDK", () => {
  it("are the CDK's: the same files for every function, the same bytes but for the source map", async () => {
    // GIVEN the app as `cdk synth` bundles it, and its functions' assets by entry
    const { app, stack } = buildApp({
      settings: LOCAL_STACK_SETTINGS,
      bundling: true,
      checks: false,
      outdir: cdkOut,
    });
    const template: unknown = app.synth().getStackByName(stack.stackName).template;
    const cdkAssets = new Map<string, string>();
    const resources = z.object({ Resources: z.record(z.string(), z.unknown()) }).parse(template).Resources;
    for (const resource of Object.values(resources)) {
      const fn = functionSchema.safeParse(resource);
      if (!fn.success) continue;
      const asset = path.join(cdkOut, `asset.${fn.data.Properties.Code.S3Key.replace(/\.zip$/, "")}`);
      cdkAssets.set(fn.data.Metadata[ENTRY_METADATA], asset);
    }
    // WHEN every asset is written by writeFunctionAssets
    const written: FunctionAsset[] = await writeFunctionAssets({ dir });
    // THEN one per entry of the template, each with the CDK's files and bytes
    expect(written.map((asset) => asset.entry).sort()).toEqual([...cdkAssets.keys()].sort());
    for (const asset of written) {
      const cdkDir = cdkAssets.get(asset.entry) ?? "";
      const files = filesUnder(asset.dir);
      expect(files, asset.name).toEqual(filesUnder(cdkDir));
      expect(files).toContain("index.mjs");
      for (const file of files.filter((name) => name !== "index.mjs.map")) {
        const same = readFileSync(path.join(asset.dir, file)).equals(readFileSync(path.join(cdkDir, file)));
        expect(same, `${asset.name}: ${file}`).toBe(true);
      }
    }
  }, 600_000);
});
