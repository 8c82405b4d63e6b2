/**
 * The synths of the Tailor app that the CDK tests share, so that a test run builds the default app once per
 * worker and checks it once in all (issue 14):
 *
 * - {@link defaultApp}: the app as the local stack builds it (no bundling, no checks), built on first use and
 *   kept for the worker; the `cdk` project does not isolate its files, so every file of a worker reads the same.
 *   Read it, never add to it: a test that needs a changed stack builds its own.
 * - {@link checkedSynth}: the checked synth that the project's global setup runs in a child process
 *   (`synth-assemblies.ts`), waited for here.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { inject } from "vitest";
import { z } from "zod";
import { buildApp } from "#infra/app.js";
import { LOCAL_STACK_SETTINGS } from "#infra/local-settings.js";
import { TailorStack } from "#infra/tailor-stack.js";

let built: { readonly stack: TailorStack; readonly template: Template } | undefined;

/** The default app, synthesised without bundling or checks, once per worker. */
export function defaultApp(): { readonly stack: TailorStack; readonly template: Template } {
  if (built === undefined) {
    const { stack } = buildApp({ settings: LOCAL_STACK_SETTINGS, bundling: false, checks: false });
    built = { stack, template: Template.fromStack(stack) };
  }
  return built;
}

const outcomeSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true), template: z.record(z.string(), z.unknown()), outdir: z.string() }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);

/** The outcome of one of the shared synths: its template and cloud assembly folder, or the error it failed with. */
export type SharedSynth = z.infer<typeof outcomeSchema>;

const pollMs = 200;

/** Waits for `name` in the global setup's folder; fails at once, with the synth's log, if the child died first. */
async function outcomeOf(name: string): Promise<SharedSynth> {
  const folder = inject("cdkAssemblies");
  const file = join(folder, name);
  for (;;) {
    if (existsSync(file)) return outcomeSchema.parse(JSON.parse(readFileSync(file, "utf8")));
    if (existsSync(join(folder, "exit.json"))) {
      // The child may have written the file just before exiting.
      if (existsSync(file)) continue;
      const log = readFileSync(join(folder, "synth.log"), "utf8");
      throw new Error(`the shared synth stopped before writing ${name}:\n${log.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * The app as `cdk synth` checks it (cdk-nag's AwsSolutions rules and CloudFormation validation on, bundling
 * off), synthesised once per test run: its template, or the error an unacknowledged finding failed it with.
 */
export function checkedSynth(): Promise<SharedSynth> {
  return outcomeOf("checked.json");
}

/**
 * The timeout of a test that waits for {@link checkedSynth}: the child synthesises the whole app with
 * cdk-nag, which takes minutes on a loaded machine; the wait is bounded by the child's exit anyway.
 */
export const sharedSynthTimeout = 600_000;

/**
 * A stack of its own, built without bundling or checks, with the local settings and CDK `context` on top (as
 * `cdk deploy -c key=value` gives it): for a test of other settings than the shared synth's.
 */
export function stackWithContext(context: Record<string, unknown>, id = "Tailor"): TailorStack {
  const app = new App({ context: { ...LOCAL_STACK_SETTINGS, ...context, "aws:cdk:bundling-stacks": [] } });
  return new TailorStack(app, id);
}
