import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, type StackProps, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { z } from "zod";
import { LOCAL_STACK_SETTINGS } from "./local-settings.js";
import { TailorStack, type TailorStackProps } from "./tailor-stack.js";

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  /**
   * Bundle the functions with esbuild. Off, the app synthesises fast with placeholder code assets: enough to
   * read the template, not to deploy it.
   * @default true
   */
  readonly bundling?: boolean;
  /**
   * Check the app when it is synthesised: cdk-nag's AwsSolutions rules and CDK's built-in CloudFormation
   * validation, an unacknowledged finding failing the synth. Off, only the template is produced, about
   * twice as fast: for readers of the template that the checked build already vouches for.
   * @default true
   */
  readonly checks?: boolean;
  /**
   * Where the cloud assembly is written.
   * @default - `CDK_OUTDIR` when run by the CDK CLI, a temporary directory otherwise
   */
  readonly outdir?: string;
  /**
   * Absolute path of the folder of segment definitions to validate and ship.
   * @default - the repository's `templates/segments`
   */
  readonly segmentsDir?: string;
  /**
   * Settings given as the stack's props, ahead of the CDK context (`-c key=value`). The local stack and the
   * tests give {@link LOCAL_STACK_SETTINGS}; `cdk synth` gives none, so a deploy takes its settings from the
   * context alone and fails without the required ones.
   * @default - none: every setting from the CDK context
   */
  readonly settings?: TailorSettings;
}

/** The settings of the stack (its props without the construct's own: id, env, folders). */
export type TailorSettings = Omit<
  TailorStackProps,
  keyof StackProps | "segmentsDir" | "campaignsDir" | "templatesDir"
>;

/** The CDK app and its one stack. */
export interface TailorApp {
  readonly app: App;
  readonly stack: TailorStack;
}

const cdkJsonSchema = z.object({ context: z.record(z.string(), z.unknown()) });

/**
 * The feature flags of `cdk.json`. The CLI passes them to the app itself; reading them here too means an app
 * built in-process (tests, the local stack) synthesises the very template `cdk synth` does.
 */
function featureFlags(): Record<string, unknown> {
  const text = readFileSync(new URL("../cdk.json", import.meta.url), "utf8");
  return cdkJsonSchema.parse(JSON.parse(text)).context;
}

/**
 * Builds the Tailor CDK app: the stack, checked by cdk-nag's AwsSolutions rules when it is synthesised (an
 * unacknowledged finding fails `app.synth()`). Used by `bin/app.ts`, the tests and the local stack. The segment
 * definitions are validated here, while the stack is built: an invalid one throws the loader's
 * `SegmentDefinitionError`, naming the file, the path inside it and the rule, and nothing is synthesised.
 */
export function buildApp(options: BuildAppOptions = {}): TailorApp {
  const checks = options.checks ?? true;
  const app = new App({
    outdir: options.outdir,
    builtinCloudFormationValidation: checks,
    context: featureFlags(),
    // An empty list of stacks to bundle skips esbuild, with placeholder assets. Set after the CLI's context,
    // which asks to bundle every stack.
    postCliContext: options.bundling === false ? { "aws:cdk:bundling-stacks": [] } : undefined,
  });
  if (checks) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new TailorStack(app, "Tailor", {
    description: "Tailor: real-time, data-driven email personalization",
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    segmentsDir: options.segmentsDir,
    ...options.settings,
  });
  return { app, stack };
}

/**
 * The CloudFormation template of the Tailor stack with the local stack's settings ({@link LOCAL_STACK_SETTINGS}:
 * the simulator's shop), synthesised in-process without bundling or checks (the tests prove it is the template
 * the checked build produces), with `extra` settings over them (the CLI's local stack turns SMS on). For the local
 * stack, at startup.
 */
export function synthTemplate(extra: TailorSettings = {}): Record<string, unknown> {
  const outdir = mkdtempSync(join(tmpdir(), "tailor-synth-"));
  try {
    const { app, stack } = buildApp({
      bundling: false,
      checks: false,
      outdir,
      settings: { ...LOCAL_STACK_SETTINGS, ...extra },
    });
    const template: unknown = app.synth().getStackByName(stack.stackName).template;
    if (typeof template !== "object" || template === null || Array.isArray(template)) {
      throw new TypeError("the synthesised template is not a JSON object");
    }
    return Object.fromEntries(Object.entries(template));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
