import type { Node } from "constructs";
import { InfraConfigError } from "./infra-config-error.js";
import { MissingSettingError, type RequiredSetting } from "./missing-setting-error.js";
import { isSwitchedOn } from "./on-off-setting.js";

/** Settings of the console on AWS, as props or CDK context (`-c console=on -c consoleDomainPrefix=shop-ops`). */
export interface ConsoleSettingsInput {
  /**
   * Deploy the console: a static site behind CloudFront, operators signing in with a Cognito user pool, and the
   * admin API (`/v1/admin/*`) behind a JWT authorizer on the distribution's own origin.
   * @default "off"
   */
  readonly console?: "on" | "off";
  /**
   * The prefix of the Cognito hosted sign-in domain, `https://<prefix>.auth.<region>.amazoncognito.com`:
   * lower-case letters, digits and hyphens, unique in the region. Required when the console is on.
   */
  readonly consoleDomainPrefix?: string;
  /**
   * Whether operators must set up a TOTP authenticator (`required`) or may (`optional`). Required by default: an
   * operator sees every customer's data and may export or erase it, so a stolen password alone must not do.
   * @default "required"
   */
  readonly consoleMfa?: "required" | "optional";
}

/** The settings' context keys, for the one list of known keys. */
export const CONSOLE_CONTEXT_KEYS = ["console", "consoleDomainPrefix", "consoleMfa"] as const;

/** The console's settings, resolved: absent when the console is off. */
export interface ConsoleSettings {
  readonly domainPrefix: string;
  readonly mfa: "required" | "optional";
}

/** The hosted domain's prefix, as Cognito takes it (and the words it refuses in a prefix). */
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED_WORDS = ["aws", "amazon", "cognito"];

const REQUIRED_DOMAIN_PREFIX: RequiredSetting = {
  key: "consoleDomainPrefix",
  what: "the prefix of the console's Cognito sign-in domain (unique in the region)",
  example: "shop-tailor-ops",
};

/**
 * The console's settings from the props, else the CDK context of `node`: `undefined` when the console is off
 * (the default). Throws {@link MissingSettingError} when it is on without `consoleDomainPrefix`, and
 * {@link InfraConfigError} naming the setting, the rule and an example on a value it cannot take.
 */
export function resolveConsoleSettings(input: ConsoleSettingsInput, node: Node): ConsoleSettings | undefined {
  const read = (key: keyof ConsoleSettingsInput): unknown => input[key] ?? node.tryGetContext(key);
  if (!isSwitchedOn("console", read("console"))) return undefined;
  const prefix = read("consoleDomainPrefix");
  if (prefix === undefined || prefix === "") throw new MissingSettingError([REQUIRED_DOMAIN_PREFIX]);
  if (
    typeof prefix !== "string" ||
    !DOMAIN_PREFIX.test(prefix) ||
    RESERVED_WORDS.some((word) => prefix.includes(word))
  ) {
    throw new InfraConfigError(
      `consoleDomainPrefix must be 1 to 63 lower-case letters, digits or inner hyphens, without ${RESERVED_WORDS.join(", ")} ` +
        `(e.g. -c consoleDomainPrefix=${REQUIRED_DOMAIN_PREFIX.example}), got ${JSON.stringify(prefix)}`,
    );
  }
  const mfa = read("consoleMfa") ?? "required";
  if (mfa !== "required" && mfa !== "optional") {
    throw new InfraConfigError(
      `consoleMfa must be "required" or "optional" (e.g. -c consoleMfa=required), got ${JSON.stringify(mfa)}`,
    );
  }
  return { domainPrefix: prefix, mfa };
}
