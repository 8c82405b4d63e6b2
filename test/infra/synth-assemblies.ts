/**
 * Synthesises the Tailor app as `cdk synth` checks it, once per test run, in a process of its own (started by
 * `global-setup.ts`, so the other test projects run meanwhile): `checked.json`, cdk-nag's AwsSolutions rules and
 * CloudFormation validation on, bundling off (the checks read the template, not the code): the template, or the
 * error the synth failed with. (The bundled app, every function through esbuild, is synthesised by
 * `test/long/function-assets.long.ts` in `npm run test:long`.)
 *
 * Usage: `node --import tsx test/infra/synth-assemblies.ts <folder>`. Each file is written whole (renamed into
 * place), so a reader never sees half of one.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildApp } from "#infra/app.js";
import { LOCAL_STACK_SETTINGS } from "#infra/local-settings.js";

/** The outcome of one synth, as written for the tests. */
export type SynthOutcome =
  | { readonly ok: true; readonly template: unknown; readonly outdir: string }
  | { readonly ok: false; readonly error: string };

function synthesise(options: { checks: boolean; bundling: boolean; outdir: string }): SynthOutcome {
  try {
    const { app, stack } = buildApp({ ...options, settings: LOCAL_STACK_SETTINGS });
    const template: unknown = app.synth().getStackByName(stack.stackName).template;
    return { ok: true, template, outdir: options.outdir };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

function write(folder: string, name: string, outcome: SynthOutcome): void {
  const partial = join(folder, `${name}.partial`);
  writeFileSync(partial, JSON.stringify(outcome));
  renameSync(partial, join(folder, name));
}

const folder = process.argv[2];
if (folder === undefined) throw new Error("usage: synth-assemblies.ts <folder>");
const checkedDir = join(folder, "checked");
mkdirSync(checkedDir, { recursive: true });
write(folder, "checked.json", synthesise({ checks: true, bundling: false, outdir: checkedDir }));
