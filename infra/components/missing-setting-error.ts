import { InfraConfigError } from "./infra-config-error.js";

/** A setting that has no safe default, and how to give it. */
export interface RequiredSetting {
  /** The context key and prop name. */
  readonly key: string;
  /** What it is, in a few words. */
  readonly what: string;
  /** An example value, as it would follow `-c key=`. */
  readonly example: string;
}

/**
 * Settings without a safe default were not given: the synth stops, naming each with what it is and an example
 * (`-c fromAddress="Shop <news@shop.example>"`), instead of deploying a stack that sends as someone else.
 */
export class MissingSettingError extends InfraConfigError {
  /** The keys missing. */
  readonly keys: readonly string[];

  constructor(missing: readonly RequiredSetting[]) {
    const lines = missing.map(
      ({ key, what, example }) => `\n  ${key}: ${what}, e.g. -c ${key}=${quoted(example)}`,
    );
    super(
      `required setting(s) missing:${lines.join("")}\nGive them with -c on the cdk command line, in the ` +
        `"context" of cdk.json, or as stack props (docs/deploy.md, "Settings").`,
    );
    this.keys = missing.map(({ key }) => key);
  }
}

/** A value as a shell would need it on the command line. */
function quoted(value: string): string {
  return /^[\w@.:/,+-]+$/.test(value) ? value : `"${value}"`;
}
