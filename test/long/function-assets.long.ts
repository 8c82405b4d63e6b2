import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { IConstruct } from "constructs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { buildApp } from "#infra/app.js";
import { SEGMENTS_DIR } from "#infra/components/segment-definitions.js";
import { type FunctionAsset, writeFunctionAssets } from "#infra/function-assets.js";
import { ENTRY_METADATA } from "#infra/local-names.js";
import { LOCAL_STACK_SETTINGS } from "#infra/local-settings.js";
import type { TailorStack } from "#infra/tailor-stack.js";
import { logicalIdOf } from "../infra/template-queries.js";

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

const repositoryTemplates = fileURLToPath(new URL("../../templates/", import.meta.url));
const definitionFile = /\.(ya?ml|json)$/;
const compiledSchema = z.looseObject({
  format: z.number(),
  templates: z.array(z.looseObject({ name: z.string() })),
});
const listed = (folder: string): string[] => readdirSync(folder).sort();

// The app as `cdk synth` bundles it (checks off: the cdk-nag test of `npm test` covers them), once for the file.
let stack: TailorStack;
let resources: Record<string, unknown>;
beforeAll(() => {
  const built = buildApp({ settings: LOCAL_STACK_SETTINGS, bundling: true, checks: false, outdir: cdkOut });
  stack = built.stack;
  const template: unknown = built.app.synth().getStackByName(stack.stackName).template;
  resources = z.object({ Resources: z.record(z.string(), z.unknown()) }).parse(template).Resources;
}, 600_000);

/** The folder of the code asset the CDK staged for `fn`. */
function assetOf(fn: IConstruct): string {
  const parsed = functionSchema.parse(resources[logicalIdOf(fn)]);
  return path.join(cdkOut, `asset.${parsed.Properties.Code.S3Key.replace(/\.zip$/, "")}`);
}

describe("the CDK's code assets", () => {
  it("carry the segment and campaign definitions and templates into the bundles, where the *_DIR point", () => {
    // THEN each function's code asset holds the bundle and, beside it, every definition authored
    const authored = readdirSync(path.join(repositoryTemplates, "segments")).filter((f) =>
      definitionFile.test(f),
    );
    expect(authored.length).toBeGreaterThan(0);
    for (const fn of [stack.ingest.function, stack.segmentTimers.function]) {
      const assetDir = assetOf(fn);
      expect(existsSync(path.join(assetDir, "index.mjs"))).toBe(true);
      const bundled = readdirSync(path.join(assetDir, SEGMENTS_DIR)).filter((f) => definitionFile.test(f));
      expect(bundled.sort()).toEqual(authored.sort());
    }
    // ...and the campaigns, emails and blocks into those of the functions that create or send intents
    const campaignFunctions = [
      stack.ingest.function,
      stack.dispatch.function,
      stack.campaignTriggers.transitionsFunction,
      stack.campaignFanOut.functions.part,
    ];
    for (const fn of campaignFunctions) {
      for (const folder of ["campaigns", "emails", "blocks"]) {
        expect(listed(path.join(assetOf(fn), "templates", folder))).toEqual(
          listed(path.join(repositoryTemplates, folder)),
        );
      }
    }
    // ...and dispatch's bundle the templates compiled at bundle time, where TEMPLATES_FILE points
    const dispatch = z
      .object({
        Properties: z.object({
          Environment: z.object({ Variables: z.object({ TEMPLATES_FILE: z.string() }) }),
        }),
      })
      .parse(resources[logicalIdOf(stack.dispatch.function)]);
    const compiled = compiledSchema.parse(
      JSON.parse(
        readFileSync(
          path.join(
            assetOf(stack.dispatch.function),
            dispatch.Properties.Environment.Variables.TEMPLATES_FILE,
          ),
          "utf8",
        ),
      ),
    );
    expect(compiled.format).toBe(1);
    expect(compiled.templates.map((t) => t.name).sort()).toEqual(
      listed(path.join(repositoryTemplates, "emails")),
    );
  });
});

describe("function code assets written outside the CDK", () => {
  it("are the CDK's: the same files for every function, the same bytes but for the source map", async () => {
    // GIVEN the CDK's assets by entry
    const cdkAssets = new Map<string, string>();
    for (const resource of Object.values(resources)) {
      const fn = functionSchema.safeParse(resource);
      if (!fn.success) continue;
      const asset = path.join(cdkOut, `asset.${fn.data.Properties.Code.S3Key.replace(/\.zip$/, "")}`);
      cdkAssets.set(fn.data.Metadata[ENTRY_METADATA], asset);
    }
    // WHEN every asset is written by writeFunctionAssets
    const written: FunctionAsset[] = await writeFunctionAssets({ dir });
    // THEN one per entry of the template (and SMS's feedback, a function of the stack with -c sms=on only), each
    // with the CDK's files and bytes
    const optional = new Set(["functions/sms-feedback/handler.ts"]);
    expect(
      written
        .map((asset) => asset.entry)
        .filter((entry) => !optional.has(entry))
        .sort(),
    ).toEqual([...cdkAssets.keys()].sort());
    expect(written.map((asset) => asset.entry)).toEqual(expect.arrayContaining([...optional]));
    for (const asset of written.filter((each) => cdkAssets.has(each.entry))) {
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
