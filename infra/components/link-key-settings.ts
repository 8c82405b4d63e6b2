import type { Node } from "constructs";
import { z } from "zod";
import { DEFAULT_LINK_KEY_GRACE_DAYS, LINK_LIFETIME_DAYS } from "#shared/render/link-keys.js";
import { InfraConfigError } from "./infra-config-error.js";

/**
 * What the link secret holds: `key-ring` (JSON, the first key generated at deploy, rotated by `tailor links
 * rotate`), or `plain` (one generated string, as stacks deployed before key rings have it).
 */
export type LinkSecretFormat = "key-ring" | "plain";

/** The link keys: stack props, else CDK context (`-c key=value`), else defaults. */
export interface LinkKeySettingsInput {
  /**
   * Days a retired link key keeps verifying after `tailor links rotate` retired it: at least the links' own
   * lifetime (60 days), so that every link signed before a rotation works until it expires by itself.
   * @default 90
   */
  readonly linkKeyGraceDays?: number;
  /**
   * `plain` keeps the secret of a stack deployed before key rings as it was declared: CloudFormation generates a
   * new value whenever a secret's generation settings change, which would break every link already sent. Its
   * one plain key verifies as the legacy key `k0`, and the first `tailor links rotate` turns it into a ring.
   * @default "key-ring"
   */
  readonly linkSecretFormat?: LinkSecretFormat;
}

/** The link key settings, checked and complete. */
export interface LinkKeySettings {
  readonly graceDays: number;
  readonly format: LinkSecretFormat;
}

/** The context keys read, the same names as the props. */
export const LINK_KEY_CONTEXT_KEYS = ["linkKeyGraceDays", "linkSecretFormat"] as const;

const MAX_GRACE_DAYS = 3650;

/**
 * The link key settings of the props, else the context of `node`, else the defaults. Throws
 * {@link InfraConfigError} naming the setting, the rule and an example.
 */
export function resolveLinkKeySettings(input: LinkKeySettingsInput, node: Node): LinkKeySettings {
  const rawGrace: unknown =
    input.linkKeyGraceDays ?? node.tryGetContext("linkKeyGraceDays") ?? DEFAULT_LINK_KEY_GRACE_DAYS;
  const grace = z.coerce.number().int().min(LINK_LIFETIME_DAYS).max(MAX_GRACE_DAYS).safeParse(rawGrace);
  if (!grace.success || rawGrace === "" || typeof rawGrace === "boolean") {
    throw new InfraConfigError(
      `linkKeyGraceDays must be a whole number of days from ${LINK_LIFETIME_DAYS} (the links' own lifetime) to ` +
        `${MAX_GRACE_DAYS} (e.g. -c linkKeyGraceDays=${DEFAULT_LINK_KEY_GRACE_DAYS}), got ${JSON.stringify(rawGrace)}`,
    );
  }
  const rawFormat: unknown = input.linkSecretFormat ?? node.tryGetContext("linkSecretFormat") ?? "key-ring";
  if (rawFormat !== "key-ring" && rawFormat !== "plain") {
    throw new InfraConfigError(
      `linkSecretFormat must be "key-ring" or "plain" (e.g. -c linkSecretFormat=plain for a stack deployed before ` +
        `key rings), got ${JSON.stringify(rawFormat)}`,
    );
  }
  return { graceDays: grace.data, format: rawFormat };
}
